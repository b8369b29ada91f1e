package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.target.gpu.GpuPlan;
import io.cnnc.compiler.target.gpu.GpuPlanTarget;
import io.cnnc.compiler.target.gpu.PlanText;
import io.cnnc.kernels.gpu.GpuSource;
import io.cnnc.runtime.gpu.GpuTarget;
import io.cnnc.runtime.gpu.cuda.CudaCompiler;
import io.cnnc.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cnnc compile --target opencl|cuda}: the GPU plan (no device needed) explained and/or
 * written out with the kernel program it launches; for CUDA also the PTX when nvcc is here.
 */
final class GpuCompile {

    private GpuCompile() {}

    static int run(FrontHalf front, Map<String, float[]> weights, int batch, GpuTarget target, boolean explain, Path dir,
                   boolean cpuOnlyOptions, PrintWriter out) throws IOException {
        if (cpuOnlyOptions) throw new UserError("-o, --emit-java and --tune are for --target cpu; --target " + target.label() + " takes --explain and --emit-kernels");
        Graph graph = front.source();
        long t = System.nanoTime();
        GpuPlan plan = new GpuPlanTarget(target.dialect(), batch).compile(front, weights);
        out.printf(Locale.ROOT, "%s: planned for %s in %.0f ms (%d convolutions, %d kernel launches)%n", graph.name(), target.label(),
                (System.nanoTime() - t + front.passNanos()) / 1e6, plan.convs().size(), plan.steps().size());
        String text = PlanText.render(plan, target.label(), Map.of());
        if (explain) out.print(text);
        if (dir != null) {
            AtomicFiles.createFolder(dir);
            String program = GpuSource.program(target.dialect());
            write(dir.resolve(graph.name() + target.dialect().extension()), program, out);
            write(dir.resolve(graph.name() + ".plan.txt"), text, out);
            if (target == GpuTarget.CUDA) {
                if (CudaCompiler.nvcc().isPresent()) {
                    write(dir.resolve(graph.name() + ".ptx"), CudaCompiler.ptx(program, "sm_90"), out);
                } else {
                    out.println("no nvcc here: PTX is compiled at run time with NVRTC");
                }
            }
        }
        if (!explain && dir == null) out.println("(add --explain to see the plan, --emit-kernels DIR to write it and its kernels)");
        return 0;
    }

    private static void write(Path file, String text, PrintWriter out) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, o -> o.write(bytes));
        out.println("wrote " + file);
    }
}
