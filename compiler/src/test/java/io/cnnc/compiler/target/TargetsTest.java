package io.cnnc.compiler.target;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.codegen.JavaSourceCompiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.target.cpu.CpuTarget;
import io.cnnc.compiler.target.gpu.GpuPlan;
import io.cnnc.compiler.target.gpu.GpuPlanTarget;
import io.cnnc.compiler.target.gpu.GpuPlanner;
import io.cnnc.compiler.target.gpu.PlanText;
import io.cnnc.compiler.target.tornado.TornadoTarget;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.gpu.Dialect;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The three targets built from one front half: nothing recomputed, the same outputs as before. */
class TargetsTest {

    private static final String NET = """
            network Net { input x: [3, 12, 12]
              y = conv(8, 3, pad=1, bias=false) -> bn -> relu
              y + (y -> conv(8, 3, pad=1, bias=false) -> bn) -> relu -> gap -> flatten -> dense(4)
            }""";

    private static Graph graph() throws Exception {
        return Compiler.compile(new SourceFile("n.cnn", NET)).networks().getFirst();
    }

    /** Random tensors for every parameter; variances positive so BatchNorm folding stays finite. */
    private static Map<String, float[]> weights(Graph g) {
        Random r = new Random(1);
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Graph.NamedParam p : g.parameters()) {
            float[] d = new float[Math.toIntExact(p.spec().size())];
            boolean positive = p.spec().suffix().equals("running_var");
            for (int i = 0; i < d.length; i++) d[i] = positive ? 0.5f + r.nextFloat() : r.nextFloat() - 0.5f;
            w.put(p.name(), d);
        }
        return w;
    }

    @Test
    void frontHalfRunsThePassesAndPlansThePlanarGraph() throws Exception {
        FrontHalf front = FrontHalf.of(graph());
        assertThat(front.planar().nodes()).extracting(n -> n.op().type()).contains("conv+bn+relu", "conv+bn+add+relu");
        assertThat(front.memory().slotSizes()).isNotEmpty();
    }

    @Test
    void cpuTargetKeepsTheFrontHalfItWasGiven() throws Exception {
        Graph g = graph();
        FrontHalf front = FrontHalf.of(g);
        CompiledModel model = new CpuTarget(CompileOptions.defaults().withThreads(1)).compile(front, weights(g));
        assertThat(model.front()).isSameAs(front);
        assertThat(model.planar()).isSameAs(front.planar());
        assertThat(model.phaseMillis()).containsKey("passes");
    }

    @Test
    void gpuTargetPlansAsThePlannerDoesFromTheGraph() throws Exception {
        Graph g = graph();
        Map<String, float[]> w = weights(g);
        GpuPlanTarget target = new GpuPlanTarget(Dialect.OPENCL, 2);
        GpuPlan fromFront = target.compile(FrontHalf.of(g), w);
        GpuPlan fromGraph = GpuPlanner.plan(g, w, 2);
        assertThat(target.name()).isEqualTo("opencl");
        assertThat(PlanText.render(fromFront, target.name(), Map.of())).isEqualTo(PlanText.render(fromGraph, "opencl", Map.of()))
                .startsWith("Net for opencl, batch 2:");
        assertThat(new GpuPlanTarget(Dialect.CUDA, 1).name()).isEqualTo("cuda");
    }

    @Test
    void tornadoTargetRunsNeitherTheCpuCompileNorJavac() throws Exception {
        Graph g = graph();
        long cpuCompiles = CompiledModel.cpuCompiles();
        long javac = JavaSourceCompiler.compilations();
        String source = new TornadoTarget(1, true).compile(FrontHalf.of(g), Map.of()).toString();
        assertThat(CompiledModel.cpuCompiles()).isEqualTo(cpuCompiles);
        assertThat(JavaSourceCompiler.compilations()).isEqualTo(javac);
        assertThat(source).contains("TaskGraph").contains("class NetModel");
        String viaCpuModel = CompiledModel.compile(g, weights(g), CompileOptions.defaults().withThreads(1)).tornadoSource(true).toString();
        assertThat(source).isEqualTo(viaCpuModel);
    }
}
