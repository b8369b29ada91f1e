package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.target.gpu.GpuPlan;
import io.cnnc.compiler.target.gpu.GpuPlanTarget;
import io.cnnc.compiler.target.gpu.PlanText;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.gpu.GpuBackend;
import io.cnnc.runtime.gpu.GpuExecutor;
import io.cnnc.runtime.gpu.GpuTarget;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code cnnc run --target opencl|cuda}: plan the network, open the device, run, read back the outputs. */
final class GpuEngine {

    private GpuEngine() {}

    static List<Tensor> run(Graph graph, Map<String, Tensor> weights, List<Tensor> inputs, GpuTarget target, boolean profile, PrintWriter out) {
        int batch = inputs.getFirst().dim(0);
        GpuPlan plan = new GpuPlanTarget(target.dialect(), batch).compile(FrontHalf.of(graph), CompiledEngine.raw(weights));
        GpuBackend backend;
        try {
            backend = target.open();
        } catch (IllegalStateException e) {
            throw new UserError("--target " + target.label() + ": " + e.getMessage());
        }
        try (backend) {
            long t0 = System.nanoTime();
            try (GpuExecutor exec = new GpuExecutor(backend, plan)) {
                float[][] x = inputs.stream().map(Tensor::data).toArray(float[][]::new);
                long t1 = System.nanoTime();
                float[][] y = exec.run(x);
                long t2 = System.nanoTime();
                out.printf(Locale.ROOT, "%s on %s: %d kernel launches; setup %.0f ms (build kernels, upload weights), first run %.1f ms%n",
                        target.label(), backend.deviceName(), plan.steps().size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
                if (profile) {
                    long t3 = System.nanoTime();
                    int repeats = 5;
                    for (int i = 0; i < repeats; i++) exec.run(x);
                    out.printf(Locale.ROOT, "forward pass: %.2f ms (mean of %d, inputs uploaded and outputs read back)%n",
                            (System.nanoTime() - t3) / 1e6 / repeats, repeats);
                    out.print(PlanText.render(plan, target.label(), exec.profile(x, repeats)));
                }
                List<Tensor> result = new ArrayList<>();
                for (int i = 0; i < y.length; i++) {
                    Value v = graph.outputs().get(i);
                    result.add(Tensor.of(y[i], v.shape().withBatch(batch)));
                }
                return result;
            }
        }
    }
}
