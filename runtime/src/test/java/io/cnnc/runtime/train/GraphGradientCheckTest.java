package io.cnnc.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The whole training graph against finite differences: a network using every layer of the
 * language in training mode (batch norm on batch statistics, dropout with a fixed mask, which
 * makes it linear), loss L = sum(output * r). Same tolerance argument as the kernel checks:
 * float32 activations, step 1e-2, agreement to 3e-3 relative (plus 3e-3 absolute).
 */
class GraphGradientCheckTest {

    private static final double H = 1e-2;

    @Test
    void everyLayerInTrainingModeMatchesFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("all.cnn", """
                network All {
                  input x: [3, 8, 8]
                  y = conv(6, 3, pad=1, groups=3) -> bn -> leakyrelu(alpha=0.1)
                  z = y -> dwconv(3, pad=1) -> layernorm -> scale(init=0.7) -> shift(init=0.1) -> gelu
                  a = y + z -> maxpool(2, ceil=true) -> silu
                  b = y -> avgpool(3, stride=2, pad=1) -> tanh
                  g = a -> gap -> conv(6, 1) -> hardsigmoid
                  c = concat(a * g, b -> hardswish, b -> sigmoid -> relu6) -> adaptiveavgpool(2)
                  c -> globalmaxpool -> dropout(0.3) -> flatten -> dense(4) -> relu -> dense(3) -> softmax
                }
                """)).networks().getFirst();
        checkAgainstFiniteDifferences(graph, 3 * 8 * 8, 3);
    }

    /**
     * ReLUs folded into the batch norm, the residual add and the strided conv before them (the
     * training plan's fusion; the conv masks dy and sums its bias gradient in one pass), both engines.
     */
    @Test
    void foldedReLUsMatchFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("res.cnn", """
                network Res {
                  input x: [3, 6, 6]
                  y = conv(4, 3, pad=1) -> bn -> relu
                  z = y -> conv(4, 3, pad=1) -> bn
                  a = y + z -> relu
                  a -> conv(5, 3, stride=2, pad=1) -> relu -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        assertThat(io.cnnc.compiler.train.TrainingPlan.derive(graph, Set.of()).print()).contains("fold relu1 (relu) into bn1", "fold relu2 (relu) into add1",
                "fold relu3 (relu) into conv3");
        // A step of 1e-2 moved ReLU inputs across zero (conv1.weight[0] off by 7e-3); 3e-4 does not,
        // and the float forward's rounding stays near 1e-7 / 3e-4, within the tolerance.
        checkAgainstFiniteDifferences(graph, 3 * 6 * 6, 3, 3e-4);
    }

    /** Strided data gradients by phases (a stride-2 conv, a depthwise one as MobileNetV2 has, a 1x1 shortcut), both engines. */
    @Test
    void stridedDataGradientsMatchFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("strided.cnn", """
                network Strided {
                  input x: [3, 9, 9]
                  y = conv(8, 3, pad=1) -> bn -> tanh
                  z = y -> dwconv(3, stride=2, pad=1) -> conv(8, 1) -> tanh
                  s = y -> conv(8, 1, stride=2)
                  (z + s) -> conv(6, 3, stride=2, pad=1) -> tanh -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        checkAgainstFiniteDifferences(graph, 3 * 9 * 9, 3, 1e-3);
    }

    /** Transposed convolutions up-sampling a strided conv's output (stride 2 with output padding, grouped and dilated), all engines. */
    @Test
    void transposedConvolutionsMatchFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("up.cnn", """
                network Deconv {
                  input x: [3, 7, 6]
                  y = conv(4, 3, stride=2, pad=1) -> tanh
                  z = y -> deconv(4, 3, stride=2, pad=1, output_pad=(0, 1)) -> tanh
                  z -> deconv(6, (2, 3), stride=(1, 2), pad=(1, 0, 0, 2), dilation=2, groups=2, bias=false) -> tanh -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        checkAgainstFiniteDifferences(graph, 3 * 7 * 6, 3);
    }

    /** Group norm (its affine map and without) and instance norm between convs, all engines. */
    @Test
    void groupAndInstanceNormsMatchFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("gn.cnn", """
                network Norms {
                  input x: [3, 5, 4]
                  y = conv(8, 3, pad=1) -> groupnorm(2) -> tanh -> conv(6, 1) -> instancenorm(affine=true) -> tanh
                  y -> groupnorm(3, affine=false) -> instancenorm -> conv(4, 1) -> tanh -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        checkAgainstFiniteDifferences(graph, 3 * 5 * 4, 3);
    }

    /** mish in a tiny net (conv, fused or not, then dense), each parameter's gradient through it. */
    @Test
    void mishInTrainingModeMatchesFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("mish.cnn", """
                network Mish {
                  input x: [2, 5, 5]
                  y = conv(4, 3, pad=1) -> mish
                  y -> bn -> mish -> gap -> flatten -> dense(3) -> mish
                }
                """)).networks().getFirst();
        checkAgainstFiniteDifferences(graph, 2 * 5 * 5, 3);
    }

    /**
     * channelshuffle between layers that tell channels apart, its input also read by an add: the
     * permutation's gradient; then two overlapping slices of one value, their gradients summed.
     */
    @Test
    void channelShuffleInTrainingModeMatchesFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("shuffle.cnn", """
                network Shuffle {
                  input x: [2, 5, 5]
                  y = conv(6, 3, pad=1) -> tanh
                  z = y -> channelshuffle(2) -> conv(6, 1) -> tanh
                  a = y + z -> channelshuffle(3)
                  b = concat(a -> slice(0, 2), a -> slice(1, 6) -> conv(5, 1) -> tanh)
                  b -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        checkAgainstFiniteDifferences(graph, 2 * 5 * 5, 3);
    }

    /**
     * A ReLU6 folded into the batch norm before it (its forward clamps at both ends, its backward
     * masks where 0 < out < 6), with gamma 4 so that about one output in seven passes 6.
     */
    @Test
    void aReLU6FoldedIntoBatchNormMatchesFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("clamp.cnn", """
                network Clamp {
                  input x: [2, 5, 5]
                  y = conv(4, 3, pad=1) -> bn -> relu6
                  y -> conv(4, 3, pad=1) -> bn -> relu6 -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        assertThat(io.cnnc.compiler.train.TrainingPlan.derive(graph, Set.of()).print()).contains("fold relu61 (relu6) into bn1\n")
                .contains("fold relu62 (relu6) into bn2\n");
        for (String engine : new String[] {"generated", "interpreted", "reference"}) {
            checkAgainstFiniteDifferences(graph, 2 * 5 * 5, 3, engine, 1e-3, p -> {
                java.util.Arrays.fill(p.get("bn1.weight").data(), 4f);
                java.util.Arrays.fill(p.get("bn2.weight").data(), 4f);
            });
        }
    }

    /** upsample in each mode between convs, so its backward feeds every parameter gradient before it. */
    @Test
    void upsampleInTrainingModeMatchesFiniteDifferences() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("up.cnn", """
                network Up {
                  input x: [2, 3, 4]
                  y = conv(3, 3, pad=1) -> upsample((2, 3), mode="bilinear") -> conv(3, 3, pad=1, stride=2)
                  z = y -> upsample(2) -> conv(2, 3, stride=2) -> upsample((3, 2), mode="bilinear", align_corners=true)
                  z -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        checkAgainstFiniteDifferences(graph, 2 * 3 * 4, 3);
    }

    /** Every engine: the generated step and the interpreted compiled one (their strategies, the data gradient as a convolution), and the reference. */
    private static void checkAgainstFiniteDifferences(Graph graph, int inputSize, int outputs) {
        checkAgainstFiniteDifferences(graph, inputSize, outputs, H);
    }

    private static void checkAgainstFiniteDifferences(Graph graph, int inputSize, int outputs, double h) {
        for (String engine : new String[] {"generated", "interpreted", "reference"}) checkAgainstFiniteDifferences(graph, inputSize, outputs, engine, h);
    }

    private static void checkAgainstFiniteDifferences(Graph graph, int inputSize, int outputs, String engine, double h) {
        checkAgainstFiniteDifferences(graph, inputSize, outputs, engine, h, p -> {});
    }

    private static void checkAgainstFiniteDifferences(Graph graph, int inputSize, int outputs, String engine, double h,
                                                      java.util.function.Consumer<Map<String, Tensor>> tweak) {
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 11);
        tweak.accept(params);
        // Arrays the memory plan drops or hands back read as NaN: an op reading one it said it would not spreads it.
        TrainingEngine trainer;
        if (engine.equals("generated")) {
            GeneratedTrainer generated = new GeneratedTrainer(graph, params, 5, Set.of(), null, 2, name -> true);
            generated.poisonReusedBuffers();
            trainer = generated;
        } else {
            GraphTrainer interpreted = new GraphTrainer(graph, params, 5, Set.of(),
                    engine.equals("reference") ? GraphTrainer.Engine.REFERENCE : GraphTrainer.Engine.COMPILED, 2);
            interpreted.poisonReusedBuffers();
            trainer = interpreted;
        }
        Random random = new Random(2);
        int batch = 2;
        float[] x = new float[batch * inputSize];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        float[] r = new float[batch * outputs];
        for (int i = 0; i < r.length; i++) r[i] = (float) random.nextGaussian();

        trainer.startEpoch(0);
        trainer.forward(x, batch, true);
        trainer.zeroGradients();
        trainer.backward(r.clone());
        for (var e : trainer.gradients().entrySet()) {
            float[] p = params.get(e.getKey()).data();
            float[] g = e.getValue().clone();
            for (int i = 0; i < p.length; i += Math.max(1, p.length / 6)) {
                float saved = p[i];
                p[i] = (float) (saved + h);
                double plus = loss(trainer, x, batch, r);
                p[i] = (float) (saved - h);
                double minus = loss(trainer, x, batch, r);
                p[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                assertThat((double) g[i]).as("%s %s[%d]", engine, e.getKey(), i)
                        .isCloseTo(numeric, org.assertj.core.data.Offset.offset(3e-3 + 3e-3 * Math.abs(numeric)));
            }
        }
    }

    /** Forward with the same dropout mask (epoch 0's stream); running statistics are not read in training mode. */
    private static double loss(TrainingEngine trainer, float[] x, int batch, float[] r) {
        trainer.startEpoch(0);
        float[] y = trainer.forward(x, batch, true);
        double l = 0;
        for (int i = 0; i < y.length; i++) l += (double) y[i] * r[i];
        return l;
    }
}
