package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.ChannelSlice;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * slice on the CPU paths: its kernels against the definition, a ShuffleNetV2 unit (its input cut
 * in two, one half through a branch, concatenated and shuffled) in generated code, between
 * blocked convs too, and in the TornadoVM plain-Java fallback, each against the reference executor.
 */
class ChannelSliceNetworkTest {

    private static final String NET = """
            network ShuffleUnit { input x: [32, 9, 10]
              a = x -> slice(0, 16)
              b = x -> slice(16, 32) -> conv(16, 1) -> bn -> relu -> dwconv(3, pad=1) -> bn -> conv(16, 1) -> bn -> relu
              c = concat(a, b) -> channelshuffle(2)
              c -> slice(5, 29) -> conv(8, 3, stride=2, pad=1) -> gap -> flatten -> dense(5)
            }""";

    private static Graph graph() throws Exception {
        return Compiler.compile(new SourceFile("s.cnn", NET)).networks().getFirst();
    }

    @Test
    void kernelsMatchTheDefinition() {
        int batch = 3, channels = 7, spatial = 5, start = 2, end = 6;
        float[] x = new float[batch * channels * spatial];
        for (int i = 0; i < x.length; i++) x[i] = i * 0.5f - 3;
        float[] want = new float[batch * (end - start) * spatial];
        int k = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = start; c < end; c++) for (int s = 0; s < spatial; s++) want[k++] = x[(n * channels + c) * spatial + s];
        }
        float[] ref = new float[want.length];
        ChannelSlice.reference(x, batch, channels, start, end, spatial, ref);
        float[] fast = new float[want.length];
        ChannelSlice.forward(x, batch, channels, start, end, spatial, fast, Parallel.of(2));
        assertThat(ref).containsExactly(want);
        assertThat(fast).containsExactly(want);
        float[] dx = new float[x.length];
        java.util.Arrays.fill(dx, Float.NaN);
        ChannelSlice.backward(want, batch, channels, start, end, spatial, dx);
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int s = 0; s < spatial; s++) {
                    int i = (n * channels + c) * spatial + s;
                    assertThat(dx[i]).as("dx[%d][%d][%d]", n, c, s).isEqualTo(c >= start && c < end ? x[i] : 0f);
                }
            }
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
                assertThat(model.javaSource()).contains("ChannelSlice.forward(");
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
        CompiledNetwork net = model.instantiate(model.tornadoSource(false), Parallel.serial());
        Tensor x = input(2, 8);
        float[] got = net.forward(new float[][] {x.data()})[0];
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
        assertClose(got, want, "tornado fallback");
    }

    private static Map<String, float[]> raw(Map<String, Tensor> weights) {
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        return raw;
    }

    private static Tensor input(int batch, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[batch * 32 * 9 * 10];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        return Tensor.of(x, batch, 32, 9, 10);
    }

    private static void assertClose(float[] got, float[] want, String what) {
        assertThat(got).hasSameSizeAs(want);
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("%s element %d", what, i).isLessThanOrEqualTo(1e-4 * scale);
        }
    }
}
