package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;

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
 * groupnorm and instancenorm on the CPU paths beyond their kernels: between convs (blocked ones
 * too) in generated code, and in the TornadoVM plain-Java fallback, against the reference executor.
 */
class GroupNormNetworkTest {

    private static final String NET = """
            network Norms { input x: [32, 9, 10]
              a = x -> conv(32, 3, pad=1) -> groupnorm(8) -> relu -> conv(32, 3, pad=1) -> instancenorm(affine=true)
              (a + x) -> relu -> groupnorm(4, affine=false) -> instancenorm -> conv(8, 1)
            }""";

    private static Graph graph() throws Exception {
        return Compiler.compile(new SourceFile("s.cnn", NET)).networks().getFirst();
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
                assertThat(model.javaSource()).contains("GroupNorm.forward(");
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
