package io.cnnc.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compiled training engine against the reference one (im2col and GEMM) on one training step:
 * the output and every parameter gradient. They differ only in the order floats are summed, so
 * each tensor must agree to {@link #TOLERANCE} of its largest magnitude (plus {@link #NOISE}).
 */
class CompiledTrainingTest {

    /**
     * Measured at most 1.8e-6 of a tensor's largest magnitude over these networks (ResNet-20's
     * first conv weight gradient, after the data gradient went back through 18 convs; AVX-512,
     * docs/training.md); 1e-4 leaves room for other CPUs' vector widths, which change the order
     * of sums, and is still far below what a wrong index or a missed term gives.
     */
    private static final double TOLERANCE = 1e-4;

    /** A bias before batch norm has gradient 0 in exact arithmetic; both engines leave rounding noise near 1e-9 there. */
    private static final double NOISE = 1e-7;

    private static final String ODD = """
            network Odd {
              input x: [3, 11, 9]
              a = x -> conv(8, (5, 3), pad=(2, 0, 1, 2)) -> bn -> relu
              b = a -> conv(8, 3, pad=1, groups=2) -> dwconv(3, pad=1, multiplier=2) -> relu
              c = b -> conv(12, 3, stride=2, pad=1) -> conv(12, 1) -> relu
              c -> gap -> flatten -> dense(5)
            }
            """;

    @ParameterizedTest
    @ValueSource(strings = {"examples/lenet5.cnn", "examples/resnet20_cifar.cnn", "odd"})
    void aCompiledStepMatchesTheReferenceStep(String network) throws Exception {
        Graph graph = (network.equals("odd") ? Compiler.compile(new SourceFile("odd.cnn", ODD))
                : Compiler.compile(SourceFile.read(Path.of("..").resolve(network)))).networks().getFirst();
        Map<String, float[]> reference = step(graph, GraphTrainer.Engine.REFERENCE);
        Map<String, float[]> compiled = step(graph, GraphTrainer.Engine.COMPILED);
        assertThat(compiled.keySet()).isEqualTo(reference.keySet());
        for (String name : reference.keySet()) {
            float[] want = reference.get(name);
            float[] got = compiled.get(name);
            double scale = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < want.length; i++) {
                assertThat((double) got[i]).as("%s %s[%d]", network, name, i)
                        .isCloseTo(want[i], org.assertj.core.data.Offset.offset(TOLERANCE * scale + NOISE));
            }
        }
    }

    /**
     * Winograd forced wherever it computes a forward or data-gradient convolution of ResNet-20:
     * every gradient's worst error relative to its largest magnitude, against the reference
     * engine, stays within the bound measured for it (docs/training.md, "Winograd in training").
     */
    @ParameterizedTest
    @ValueSource(strings = {"winograd-f23", "winograd-f23-nchwc", "winograd-f43-nchwc"})
    void winogradGradientsStayWithinTheirMeasuredError(String strategy) throws Exception {
        Graph graph = Compiler.compile(SourceFile.read(Path.of("../examples/resnet20_cifar.cnn"))).networks().getFirst();
        Map<String, float[]> reference = step(graph, GraphTrainer.Engine.REFERENCE, name -> true);
        Map<String, float[]> winograd = step(graph, GraphTrainer.Engine.COMPILED, strategy::equals);
        double worst = 0;
        String where = "";
        for (String name : reference.keySet()) {
            float[] want = reference.get(name);
            float[] got = winograd.get(name);
            double scale = 0, err = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
            if (scale > 0 && err / scale > worst) {
                worst = err / scale;
                where = name;
            }
        }
        System.out.printf("%s: worst relative error %.3g (%s)%n", strategy, worst, where);
        // Measured (Zen 5): 4.4e-6 (f23), 4.1e-6 (f23-nchwc), 1.5e-5 (f43-nchwc); bounds at about 5x.
        assertThat(worst).as("%s, worst at %s", strategy, where).isLessThan(strategy.contains("f43") ? 7.5e-5 : 2.5e-5);
    }

    /** Evaluation hands the last, partial batch over in an array sized for a whole one: only the first samples count. */
    @org.junit.jupiter.api.Test
    void aPartialBatchInALongerArrayIsReadAsItsSamples() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("odd.cnn", ODD)).networks().getFirst();
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 3);
        int size = Math.toIntExact(graph.inputs().getFirst().shape().size());
        Random random = new Random(4);
        float[] x = new float[8 * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        float[] want = new GraphTrainer(graph, params, 7, Set.of()).forward(java.util.Arrays.copyOf(x, 3 * size), 3, false).clone();
        float[] got = new GraphTrainer(graph, params, 7, Set.of(), GraphTrainer.Engine.COMPILED, 2).forward(x, 3, false);
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) assertThat(got[i]).as("[%d]", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f));
    }

    /**
     * One forward and backward of a batch of 4 on seeded weights and data: the output under
     * "output", then the gradients. Buffers the trainer does not clear start as NaN, so an op
     * that wrongly claims to overwrite them fails the comparison.
     */
    private static Map<String, float[]> step(Graph graph, GraphTrainer.Engine engine) {
        return step(graph, engine, name -> true);
    }

    private static Map<String, float[]> step(Graph graph, GraphTrainer.Engine engine, java.util.function.Predicate<String> strategies) {
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 3);
        GraphTrainer trainer = new GraphTrainer(graph, params, 7, Set.of(), engine, 2, strategies);
        trainer.poisonReusedBuffers();
        Random random = new Random(1);
        int batch = 4;
        float[] x = new float[Math.toIntExact(batch * graph.inputs().getFirst().shape().size())];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        trainer.startEpoch(0);
        float[] y = trainer.forward(x, batch, true);
        float[] dy = new float[y.length];
        for (int i = 0; i < dy.length; i++) dy[i] = (float) random.nextGaussian();
        trainer.zeroGradients();
        trainer.backward(dy);
        Map<String, float[]> out = new HashMap<>();
        out.put("output", y.clone());
        trainer.gradients().forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }
}
