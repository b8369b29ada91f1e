package io.cnnc.runtime.cli;

import io.cnnc.runtime.gpu.GpuBackend;
import io.cnnc.runtime.gpu.GpuSelfCheck;
import io.cnnc.runtime.gpu.GpuTarget;
import io.cnnc.runtime.gpu.cuda.CudaBackend;
import io.cnnc.runtime.gpu.cuda.CudaCompiler;
import io.cnnc.runtime.gpu.opencl.OpenClDevices;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the OpenCL platforms and devices (--target opencl) and whether CUDA is usable (--target cuda).")
final class DevicesCommand implements Callable<Integer> {

    @Option(names = "--check", description = "also run a network with every layer kind and every conv strategy on each usable device "
            + "and compare it with the reference executor (exit 1 if any differs by more than 1e-4 of the output's magnitude)")
    boolean check;

    @Spec
    CommandSpec spec;

    private boolean failed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("OpenCL:");
        OpenClDevices.Listing cl = OpenClDevices.scan();
        if (cl.devices().isEmpty()) {
            out.println("  none: " + cl.problem());
        } else {
            OpenClDevices.Device chosen = OpenClDevices.select();
            for (OpenClDevices.Device d : cl.devices()) {
                boolean used = d.platformIndex() == chosen.platformIndex() && d.deviceIndex() == chosen.deviceIndex();
                out.printf(Locale.ROOT, "%s %s  %s: %s, %d compute units, %.1f GiB memory, %d KiB local memory, work-groups up to %d%n",
                        used ? "*" : " ", d.platformIndex() + ":" + d.deviceIndex(), d.name(), d.type(), d.computeUnits(),
                        d.globalMemory() / 1073741824.0, d.localMemory() / 1024, d.maxWorkGroup());
                out.printf(Locale.ROOT, "        platform %s, %s%n", d.platform(), d.version());
            }
            out.println("  * = used by --target opencl (choose another with " + OpenClDevices.ENV + "=platform:device)");
            if (check) selfCheck(GpuTarget.OPENCL, out);
        }
        out.println("CUDA:");
        try {
            List<CudaBackend.DeviceInfo> devices = CudaBackend.devices();
            for (CudaBackend.DeviceInfo d : devices) {
                out.printf(Locale.ROOT, "  %d  %s, %s, %d multiprocessors, %.1f GiB%n", d.index(), d.name(), d.arch(), d.multiprocessors(),
                        d.memory() / 1073741824.0);
            }
            if (check) selfCheck(GpuTarget.CUDA, out);
        } catch (IllegalStateException e) {
            out.println("  not usable: " + e.getMessage());
        }
        out.println("  kernels compile with " + CudaCompiler.nvcc().map(p -> "nvcc (" + p + ")").orElse("NVRTC (no nvcc found)"));
        return failed ? 1 : 0;
    }

    private void selfCheck(GpuTarget target, PrintWriter out) {
        try (GpuBackend backend = target.open()) {
            long t = System.nanoTime();
            List<GpuSelfCheck.Result> results = GpuSelfCheck.run(backend);
            out.printf(Locale.ROOT, "  check on %s (%.1f s):%n", backend.deviceName(), (System.nanoTime() - t) / 1e9);
            for (GpuSelfCheck.Result r : results) {
                out.printf(Locale.ROOT, "    %-4s %-45s error %.2e of the output's magnitude%n", r.ok() ? "ok" : "FAIL", r.what(), r.error());
                failed |= !r.ok();
            }
        } catch (RuntimeException e) {
            out.println("  check FAILED on " + target.label() + ": " + e.getMessage());
            failed = true;
        }
    }
}
