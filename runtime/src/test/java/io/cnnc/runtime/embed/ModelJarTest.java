package io.cnnc.runtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.exec.ReferenceExecutor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding story end to end, as an application developer lives it: a jar written by
 * ModelJar, an application compiled against that jar alone and run in a separate JVM whose
 * class path is just the jar and the application. Its printed outputs must match the reference
 * executor on the same weights (1e-4 relative, the compiled path's bound, see CompiledModelTest).
 */
class ModelJarTest {

    @Test
    void applicationWithOnlyTheJarPredictsLikeTheReference(@TempDir Path dir) throws Exception {
        Graph graph = Compiler.compile(new SourceFile("m.cnn", """
                network Small { input x: [2, 9, 9]
                  y = conv(4, 3, pad=1) -> bn -> relu
                  y + (y -> conv(4, 3, pad=1)) -> maxpool(2) -> flatten -> dense(3)
                }""")).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 9);
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        Path jar = dir.resolve("model.jar");
        ModelJar.write(jar, CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(1)));

        Path app = dir.resolve("App.java");
        Files.writeString(app, """
                import io.cnnc.runtime.embed.Model;
                public class App {
                    public static void main(String[] args) {
                        Model model = Model.load(1);
                        float[] x = new float[2 * 9 * 9];
                        for (int i = 0; i < x.length; i++) x[i] = (i % 7) / 7f - 0.5f;
                        float[] y = new float[model.outputLength()];
                        model.predictInto(x, y);
                        if (!java.util.Arrays.equals(y, model.predict(x))) throw new AssertionError("predictInto differs from predict");
                        // Shared by two threads on different inputs, each call still gets its input's result.
                        float[] x2 = new float[x.length];
                        for (int i = 0; i < x2.length; i++) x2[i] = (i % 5) / 5f - 0.3f;
                        float[] y2 = model.predict(x2);
                        var pool = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
                            Thread t = new Thread(r);
                            t.setDaemon(true); // a failed check must not keep the JVM alive
                            return t;
                        });
                        var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                        for (float[][] io : new float[][][] {{x, y}, {x2, y2}}) {
                            futures.add(pool.submit(() -> {
                                for (int k = 0; k < 300; k++) {
                                    if (!java.util.Arrays.equals(model.predict(io[0]), io[1])) throw new AssertionError("a concurrent call differs");
                                }
                            }));
                        }
                        try {
                            for (var f : futures) f.get();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                        for (float v : y) System.out.println(v);
                    }
                }""");
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-cp", jar.toString(), "-d", dir.toString(), app.toString());
        assertThat(rc).isZero();
        String out = runApp(jar, dir);

        float[] x = new float[2 * 9 * 9];
        for (int i = 0; i < x.length; i++) x[i] = (i % 7) / 7f - 0.5f;
        assertMatches(out, new ReferenceExecutor(graph, weights).run(List.of(Tensor.of(x, 1, 2, 9, 9))).getFirst().data());
    }

    /**
     * A jar whose model keeps tensors NCHWc, compiled here and run in a JVM whose blocks are the
     * other width (-Dcnnc.cpu.vector-registers=non-native): the kernels and reorders take the
     * block from the machine they run on, so with 32 channels (whole blocks at either width) it
     * still predicts what the reference executor does.
     */
    @Test
    void aBlockedModelRunsAtTheOtherBlockWidth(@TempDir Path dir) throws Exception {
        Graph graph = Compiler.compile(new SourceFile("b.cnn", """
                network Blocked { input x: [3, 12, 12]
                  y = conv(32, 3, pad=1) -> bn -> relu
                  y + (y -> conv(32, 3, pad=1) -> bn) -> relu -> maxpool(2) -> conv(32, 3, pad=1) -> relu -> gap -> flatten -> dense(3)
                }""")).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 5);
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        var compiled = CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(1)
                .withStrategies(java.util.Set.of("direct-nchwc", "direct-nchwc-planar-in")));
        org.junit.jupiter.api.Assumptions.assumeTrue(io.cnnc.kernels.cpu.layout.Nchwc.nativeVectors(), "no blocked kernels on this CPU");
        assertThat(compiled.javaSource()).as("the generated model pools blocked tensors").contains("BlockedPool.max");
        Path jar = dir.resolve("model.jar");
        ModelJar.write(jar, compiled);
        Files.writeString(dir.resolve("App.java"), """
                import io.cnnc.runtime.embed.Model;
                public class App {
                    public static void main(String[] args) {
                        float[] x = new float[3 * 12 * 12];
                        for (int i = 0; i < x.length; i++) x[i] = (i % 11) / 11f - 0.5f;
                        for (float v : Model.load(1).predict(x)) System.out.println(v);
                    }
                }""");
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-cp", jar.toString(), "-d", dir.toString(),
                dir.resolve("App.java").toString())).isZero();
        String out = runApp(jar, dir, "-Dcnnc.cpu.vector-registers=non-native");
        float[] x = new float[3 * 12 * 12];
        for (int i = 0; i < x.length; i++) x[i] = (i % 11) / 11f - 0.5f;
        assertMatches(out, new ReferenceExecutor(graph, weights).run(List.of(Tensor.of(x, 1, 3, 12, 12))).getFirst().data());
    }

    /** The compiled App's standard output, run in a JVM of its own on the jar and {@code dir}, with {@code options}; it must exit with 0. */
    private static String runApp(Path jar, Path dir, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "-cp", jar + java.io.File.pathSeparator + dir, "App"));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return out;
    }

    /** The three printed outputs within 1e-4 of the reference's largest magnitude. */
    private static void assertMatches(String out, float[] want) {
        List<Float> got = new ArrayList<>();
        for (String line : out.strip().split("\\R")) got.add(Float.parseFloat(line));
        assertThat(got).hasSize(3);
        double scale = Math.max(Math.abs(want[0]), Math.max(Math.abs(want[1]), Math.abs(want[2])));
        for (int i = 0; i < 3; i++) assertThat((double) Math.abs(got.get(i) - want[i])).as("output %d", i).isLessThanOrEqualTo(1e-4 * scale);
    }
}
