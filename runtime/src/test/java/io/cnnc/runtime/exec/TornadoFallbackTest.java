package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.util.JavacTask;
import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * {@code --target tornado}: the generated loop kernels run as plain Java (the fallback CI can
 * check without TornadoVM) and match the reference executor; the TornadoVM variant of the same
 * source is syntactically valid Java with @Parallel loops and a TaskGraph. Compiling that variant
 * against the real tornado-api needs the -Ptornado profile (docs/gpu.md). Tolerance 1e-4 of the
 * output's magnitude: float accumulation (as on a GPU) against the reference's double sums.
 */
class TornadoFallbackTest {

    private static final String NET = """
            network T { input x: [3, 14, 13]
              a = conv(8, 3, stride=2, pad=1) -> bn -> relu
              b = a -> conv(8, 3, pad=1) -> bn
              c = b + a -> relu6
              d = c -> conv(4, 3, pad=2, dilation=2, groups=4) -> sigmoid
              e = concat(c, d) -> avgpool(3, stride=2, pad=1) -> bn -> layernorm -> scale -> shift -> gelu
              g = e -> gap -> conv(12, 1) -> hardsigmoid
              e * g -> adaptiveavgpool(2) -> silu -> maxpool(2) -> flatten -> dense(5) -> softmax
            }""";

    @Test
    void javaFallbackMatchesTheReference() throws Exception {
        float[][] out = fallbackAndReference(NET, new int[] {3, 14, 13}, 8, 1);
        float[] got = out[0], want = out[1];
        for (int i = 0; i < want.length; i++) assertThat((double) Math.abs(got[i] - want[i])).isLessThanOrEqualTo(1e-4);
    }

    /** upsample's loop kernel in each mode, between convs, in the plain-Java fallback. */
    @Test
    void upsampleInTheJavaFallbackMatchesTheReference() throws Exception {
        float[][] out = fallbackAndReference("""
                network U { input x: [3, 5, 6]
                  conv(4, 3, pad=1) -> upsample((2, 3)) -> upsample(2, mode="bilinear") -> conv(4, 3, stride=2)
                  -> upsample((3, 2), mode="bilinear", align_corners=true) }""", new int[] {3, 5, 6}, 8, 1);
        float[] got = out[0], want = out[1];
        for (int i = 0; i < want.length; i++) assertThat((double) Math.abs(got[i] - want[i])).isLessThanOrEqualTo(1e-4);
    }

    /** Each activation's loop body, fused into a conv and on its own after a scale, written from its definition. */
    @Test
    void everyActivationInTheJavaFallbackMatchesTheReference() throws Exception {
        StringBuilder src = new StringBuilder("network A { input x: [3, 5, 6]\n");
        List<String> outs = new java.util.ArrayList<>();
        for (ActivationKind k : ActivationKind.values()) {
            String name = k.definition().name();
            src.append("  f_").append(name).append(" = x -> conv(3, 1) -> ").append(name).append('\n');
            src.append("  s_").append(name).append(" = x -> scale(init=3.0) -> ").append(name).append('\n');
            outs.add("f_" + name);
            outs.add("s_" + name);
        }
        src.append("  concat(").append(String.join(", ", outs)).append(")\n}");
        float[][] out = fallbackAndReference(src.toString(), new int[] {3, 5, 6}, 9, 2);
        float[] got = out[0], want = out[1];
        for (int i = 0; i < want.length; i++) assertThat((double) Math.abs(got[i] - want[i])).as("[%d]", i).isLessThanOrEqualTo(1e-4 * (1 + Math.abs(want[i])));
    }

    @Test
    void tornadoVariantIsValidJavaWithParallelLoopsAndATaskGraph() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("t.cnn", NET)).networks().getFirst();
        Map<String, float[]> raw = new HashMap<>();
        WeightInitializer.initialize(graph, 4).forEach((k, v) -> raw.put(k, v.data()));
        String source = CompiledModel.compile(graph, raw, CompileOptions.defaults()).tornadoSource(true).toString();
        // Fully qualified: the name Parallel is taken by cnnc's own thread-count class.
        assertThat(source).contains("@uk.ac.manchester.tornado.api.annotations.Parallel int", "new TaskGraph(", ".task(\"t0\", TModel::k0", "new TornadoExecutionPlan(",
                "DataTransferMode.FIRST_EXECUTION", "TornadoMath.min");
        DiagnosticCollector<JavaFileObject> d = new DiagnosticCollector<>();
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///TModel.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignore) {
                return source;
            }
        };
        JavacTask task = (JavacTask) ToolProvider.getSystemJavaCompiler().getTask(null, null, d, List.of("-proc:none"), null, List.of(unit));
        task.parse();
        assertThat(d.getDiagnostics()).as("syntax errors in the generated TornadoVM source").isEmpty();
    }

    /**
     * Compiles {@code source}, runs its TornadoVM source's plain-Java fallback (batch 2, one
     * thread) and the reference executor on one random input in [-range, range); returns
     * {got, want}, of the same size.
     */
    private static float[][] fallbackAndReference(String source, int[] chw, long seed, float range) throws Exception {
        Graph graph = Compiler.compile(new SourceFile("t.cnn", source)).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 4);
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw, CompileOptions.defaults().withBatch(2).withThreads(1));
        CompiledNetwork net = model.instantiate(model.tornadoSource(false), Parallel.serial());
        Random r = new Random(seed);
        float[] x = new float[2 * chw[0] * chw[1] * chw[2]];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 * range - range;
        float[] got = net.forward(new float[][] {x})[0];
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(Tensor.of(x, 2, chw[0], chw[1], chw[2]))).getFirst().data();
        assertThat(got).hasSameSizeAs(want);
        return new float[][] {got, want};
    }
}
