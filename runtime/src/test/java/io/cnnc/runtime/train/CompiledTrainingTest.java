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

    /**
     * The strategies as exact as a direct sum (Winograd F(2x2) is, docs/kernels.md): a difference
     * of 1e-6 in a pre-activation near zero flips a ReLU and moves a weight gradient by 1e-3 of
     * its scale (the reference engine itself, its input scaled by 1 + 1e-6, ResNet-20, batch 8),
     * so F(4x4)'s 1e-5 is measured per convolution instead (DataGradientConvTest, WinogradErrorTest).
     */
    private static final java.util.function.Predicate<String> TO_ROUNDING =
            name -> !io.cnnc.kernels.cpu.conv.ConvStrategies.byName(name).approximate() || name.startsWith("winograd-f23");

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
        Map<String, float[]> reference = step(graph, GraphTrainer.Engine.REFERENCE, name -> true);
        assertClose(network, step(graph, GraphTrainer.Engine.COMPILED, TO_ROUNDING), reference);
    }

    /** The generated training step (the default engine) against the reference one, as the interpreted compiled engine is above. */
    @ParameterizedTest
    @ValueSource(strings = {"examples/lenet5.cnn", "examples/resnet20_cifar.cnn", "odd"})
    void aGeneratedStepMatchesTheReferenceStep(String network) throws Exception {
        Graph graph = (network.equals("odd") ? Compiler.compile(new SourceFile("odd.cnn", ODD))
                : Compiler.compile(SourceFile.read(Path.of("..").resolve(network)))).networks().getFirst();
        Map<String, float[]> reference = step(graph, GraphTrainer.Engine.REFERENCE, name -> true);
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 3);
        GeneratedTrainer generated = new GeneratedTrainer(graph, params, 7, Set.of(), null, 2, TO_ROUNDING);
        generated.poisonReusedBuffers();
        assertClose(network, step(graph, generated), reference);
    }

    /**
     * A network whose middle the step keeps NCHWc (channels that fill blocks, blocked kernels
     * only): batch norm with its ReLU and ReLU6, a conv with its bias and ReLU, an add and global
     * pooling on blocked tensors, a strided conv's data gradient by phases on NCHW copies, and
     * the first conv writing a blocked output from an NCHW input; and again with the layers up to
     * bn2 frozen, their batch norms on running statistics on blocked tensors.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "bn2"})
    void aStepOnBlockedTensorsMatchesTheReferenceStep(String freeze) throws Exception {
        int c = io.cnnc.kernels.cpu.layout.Nchwc.BLOCK;
        String text = """
                network Blocked {
                  input x: [3, 12, 10]
                  a = x -> conv(%1$d, 3, pad=1, bias=false) -> bn -> relu
                  b = a -> conv(%1$d, 3, pad=1) -> relu -> conv(%1$d, 3, pad=1, bias=false) -> bn
                  s = a + b -> relu
                  d = s -> conv(%2$d, 3, stride=2, pad=1, bias=false) -> bn -> relu6 -> conv(%2$d, 3, pad=1, bias=false) -> bn -> relu
                  d -> gap -> flatten -> dense(5)
                }
                """.formatted(c, 2 * c);
        Graph graph = Compiler.compile(new SourceFile("blocked.cnn", text)).networks().getFirst();
        java.util.function.Predicate<String> blocked = name -> io.cnnc.kernels.cpu.conv.ConvStrategies.byName(name).blocked() && TO_ROUNDING.test(name);
        Set<String> frozen = freeze.isEmpty() ? Set.of() : io.cnnc.compiler.train.TrainingPlan.frozenUpTo(graph, freeze);
        var plan = io.cnnc.compiler.train.TrainingPlan.derive(graph, frozen);
        var convs = io.cnnc.compiler.train.TrainingConvStrategies.choose(plan, io.cnnc.compiler.schedule.Machine.detect(), 2, blocked);
        org.junit.jupiter.api.Assumptions.assumeTrue(io.cnnc.kernels.cpu.layout.Nchwc.nativeVectors(), "no blocked kernels on this CPU");
        assertThat(io.cnnc.compiler.train.TrainingLayouts.choose(plan, convs).blockedNames(plan))
                .as("tensors kept blocked").contains("conv1", "bn1", "conv2", "add1", "bn3", "bn4");
        GraphTrainer oracle = new GraphTrainer(graph, WeightInitializer.initialize(graph, 3), 7, frozen, GraphTrainer.Engine.REFERENCE, 2);
        oracle.poisonReusedBuffers();
        Map<String, float[]> reference = step(graph, oracle);
        GeneratedTrainer generated = new GeneratedTrainer(graph, WeightInitializer.initialize(graph, 3), 7, frozen, null, 2, convs);
        generated.poisonReusedBuffers();
        assertClose("blocked, frozen up to '" + freeze + "'", step(graph, generated), reference);
    }

    private static void assertClose(String network, Map<String, float[]> compiled, Map<String, float[]> reference) {
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
    private static Map<String, float[]> step(Graph graph, GraphTrainer.Engine engine, java.util.function.Predicate<String> strategies) {
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 3);
        GraphTrainer trainer = new GraphTrainer(graph, params, 7, Set.of(), engine, 2, strategies);
        trainer.poisonReusedBuffers();
        return step(graph, trainer);
    }

    private static Map<String, float[]> step(Graph graph, TrainingEngine trainer) {
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
        // The same step again on the kept and pooled buffers (poisoned again) gives the same bits.
        trainer.startEpoch(0);
        assertThat(trainer.forward(x, batch, true)).as("output, second time").isEqualTo(out.get("output"));
        trainer.zeroGradients();
        trainer.backward(dy);
        trainer.gradients().forEach((k, v) -> assertThat(v).as("%s, second time", k).isEqualTo(out.get(k)));
        return out;
    }
}
