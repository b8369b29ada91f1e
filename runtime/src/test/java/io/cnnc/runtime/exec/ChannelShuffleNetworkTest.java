package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.backward.SoftmaxCrossEntropy;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.train.GraphTrainer;
import io.cnnc.runtime.train.Sgd;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * channelshuffle on the CPU paths beyond its kernels: in generated code (between blocked convs,
 * where the layout pass must reorder around it), in the TornadoVM plain-Java fallback, and in
 * training. A ShuffleNet-style unit: split-free, two branches mixed by the shuffle.
 */
class ChannelShuffleNetworkTest {

    private static final String NET = """
            network Shuffle { input x: [16, 9, 10]
              a = conv(32, 1, groups=4) -> bn -> relu
              b = a -> channelshuffle(4) -> dwconv(3, pad=1) -> bn -> conv(32, 1, groups=4) -> relu
              c = concat(b, a -> channelshuffle(8)) -> channelshuffle(2)
              c -> conv(16, 3, stride=2, pad=1) -> gap -> flatten -> dense(5)
            }""";

    private static Graph graph() throws Exception {
        return Compiler.compile(new SourceFile("s.cnn", NET)).networks().getFirst();
    }

    private static Map<String, float[]> raw(Map<String, Tensor> weights) {
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        return raw;
    }

    private static Tensor input(int batch, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[batch * 16 * 9 * 10];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        return Tensor.of(x, batch, 16, 9, 10);
    }

    private static void assertClose(float[] got, float[] want, String what) {
        assertThat(got).hasSameSizeAs(want);
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("%s element %d", what, i).isLessThanOrEqualTo(1e-4 * scale);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "direct-nchwc"})
    void compiledNetworkMatchesTheReferenceExecutor(String strategy) throws Exception {
        Graph graph = graph();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 7);
        Set<String> strategies = strategy.isEmpty() ? Set.of() : Set.of(strategy);
        for (int batch : new int[] {1, 3}) {
            for (int threads : new int[] {1, 2}) {
                CompiledModel model = CompiledModel.compile(graph, raw(weights),
                        CompileOptions.defaults().withBatch(batch).withThreads(threads).withStrategies(strategies));
                assertThat(model.javaSource()).contains("ChannelShuffle.forward(");
                Tensor x = input(batch, 11 + batch);
                float[] got = model.instantiate(Parallel.of(threads)).forward(new float[][] {x.data()})[0];
                float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
                assertClose(got, want, strategies + " batch " + batch + " threads " + threads);
            }
        }
    }

    @Test
    void tornadoJavaFallbackMatchesTheReference() throws Exception {
        Graph graph = graph();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 4);
        CompiledModel model = CompiledModel.compile(graph, raw(weights), CompileOptions.defaults().withBatch(2).withThreads(1));
        assertThat(model.tornadoSource(true).toString()).contains("@uk.ac.manchester.tornado.api.annotations.Parallel int p");
        CompiledNetwork net = model.instantiate(model.tornadoSource(false), Parallel.serial());
        Tensor x = input(2, 8);
        float[] got = net.forward(new float[][] {x.data()})[0];
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
        assertClose(got, want, "tornado fallback");
    }

    /** A few SGD steps on one batch through the op's gradient lower that batch's loss. */
    @Test
    void cpuTrainingLowersTheLoss() throws Exception {
        Graph graph = graph();
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 5);
        GraphTrainer trainer = new GraphTrainer(graph, params, 1, Set.of());
        Sgd sgd = new Sgd(0.9, 0, false);
        int batch = 4;
        float[] x = input(batch, 3).data();
        int[] labels = {0, 3, 1, 4};
        double first = 0, last = 0;
        for (int step = 0; step < 8; step++) {
            trainer.zeroGradients();
            float[] logits = trainer.forward(x, batch, true);
            float[] d = new float[logits.length];
            double loss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, 5, 0, d, null);
            trainer.backward(d);
            sgd.step(raw(params), trainer.gradients(), 0.05);
            if (step == 0) first = loss;
            last = loss;
        }
        assertThat(last).as("loss after 8 steps, from %s", first).isLessThan(first * 0.8);
    }
}
