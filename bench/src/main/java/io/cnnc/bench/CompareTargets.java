package io.cnnc.bench;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.target.gpu.GpuPlanner;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.gpu.GpuBackend;
import io.cnnc.runtime.gpu.GpuExecutor;
import io.cnnc.runtime.gpu.GpuTarget;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Every cnnc target on the comparison runner's layers and networks, batch 1: the compiled CPU
 * code (all cores) and each GPU target whose device opens here (OpenCL: PoCL's CPU device on a
 * machine without a GPU; CUDA: only with an NVIDIA driver). Outputs are checked against the CPU
 * target's. Writes bench/reports/cnnc-targets.md. Usage: CompareTargets OUT_DIR [seconds]
 */
public final class CompareTargets {

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/reports");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Graph> cases = new LinkedHashMap<>();
        for (var e : CompareWithOnnxRuntime.LAYERS.entrySet()) {
            cases.put(e.getKey(), Compiler.compile(new SourceFile(e.getKey(), e.getValue())).networks().getFirst());
        }
        for (String[] n : CompareWithOnnxRuntime.NETWORKS) cases.put(n[0], Compiler.compile(SourceFile.read(Path.of(n[1]))).networks().getFirst());

        Map<GpuTarget, GpuBackend> backends = new LinkedHashMap<>();
        StringBuilder md = new StringBuilder("# cnnc's targets side by side, batch 1\n\n");
        for (GpuTarget t : GpuTarget.values()) {
            try {
                GpuBackend b = t.open();
                backends.put(t, b);
                md.append("- `").append(t.label()).append("`: ").append(b.deviceName()).append('\n');
            } catch (RuntimeException e) {
                md.append("- `").append(t.label()).append("`: not available here (").append(e.getMessage()).append(")\n");
            }
        }
        md.append(String.format(Locale.ROOT, "- `cpu`: compiled Java, %d threads, cost model%n%n", cores));
        md.append("Median ms after warm-up; max abs diff against the cpu target's output. Made by `bench/run-targets.sh` on ")
                .append(java.time.LocalDate.now()).append(". On a machine without a GPU the OpenCL device is PoCL on the same CPU cores.\n\n");
        md.append("| case | cpu ms |");
        backends.keySet().forEach(t -> md.append(' ').append(t.label()).append(" ms | ").append(t.label()).append(" max diff |"));
        md.append("\n|---|---:|");
        backends.keySet().forEach(t -> md.append("---:|---:|"));
        md.append('\n');

        for (var c : cases.entrySet()) {
            Graph g = c.getValue();
            Map<String, float[]> raw = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : WeightInitializer.initialize(g, 1).entrySet()) raw.put(e.getKey(), e.getValue().data());
            float[] x = new float[Math.toIntExact(g.inputs().getFirst().shape().size())];
            Random r = new Random(2);
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
            float[][] in = {x};
            CompiledNetwork cpu = CompiledModel.compile(g, raw, CompileOptions.defaults()).instantiate(Parallel.of(cores));
            float[] want = cpu.forward(in)[0];
            float[][] outs = cpu.forward(in);
            double cpuMs = medianMs(() -> {
                cpu.forward(in, outs);
                return outs;
            }, seconds);
            md.append(String.format(Locale.ROOT, "| %s | %.3f |", c.getKey(), cpuMs));
            System.out.printf(Locale.ROOT, "%-20s cpu %.3f ms", c.getKey(), cpuMs);
            for (var t : backends.entrySet()) {
                try (GpuExecutor ex = new GpuExecutor(t.getValue(), GpuPlanner.plan(g, raw, 1))) {
                    float[] got = ex.run(in)[0];
                    double diff = 0;
                    for (int i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
                    double ms = medianMs(() -> ex.run(in), seconds);
                    md.append(String.format(Locale.ROOT, " %.3f | %.1e |", ms, diff));
                    System.out.printf(Locale.ROOT, "  %s %.3f ms (max|diff| %.1e)", t.getKey().label(), ms, diff);
                }
            }
            md.append('\n');
            System.out.println();
        }
        backends.values().forEach(GpuBackend::close);
        Files.createDirectories(out);
        Files.writeString(out.resolve("cnnc-targets.md"), md.toString());
        System.out.println("wrote " + out.resolve("cnnc-targets.md"));
    }

    /** Warm-up a third of the time (at least 2 runs), then the median of the runs in the rest (at least 3). */
    private static double medianMs(Supplier<?> body, double seconds) {
        long end = System.nanoTime() + (long) (seconds / 3 * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < end; i++) body.get();
        List<Double> times = new ArrayList<>();
        end = System.nanoTime() + (long) (seconds * 2 / 3 * 1e9);
        while (times.size() < 3 || (System.nanoTime() < end && times.size() < 1000)) {
            long t0 = System.nanoTime();
            body.get();
            times.add((System.nanoTime() - t0) / 1e6);
        }
        times.sort(null);
        return times.get(times.size() / 2);
    }
}
