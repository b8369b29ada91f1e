package io.cnnc.runtime.cli;

import io.cnnc.runtime.gpu.cuda.CudaBackend;
import io.cnnc.runtime.gpu.cuda.CudaCompiler;
import io.cnnc.runtime.gpu.opencl.OpenClDevices;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the OpenCL platforms and devices (--target opencl) and whether CUDA is usable (--target cuda).")
final class DevicesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

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
        }
        out.println("CUDA:");
        try {
            List<CudaBackend.DeviceInfo> devices = CudaBackend.devices();
            for (CudaBackend.DeviceInfo d : devices) {
                out.printf(Locale.ROOT, "  %d  %s, %s, %d multiprocessors, %.1f GiB%n", d.index(), d.name(), d.arch(), d.multiprocessors(),
                        d.memory() / 1073741824.0);
            }
        } catch (IllegalStateException e) {
            out.println("  not usable: " + e.getMessage());
        }
        out.println("  kernels compile with " + CudaCompiler.nvcc().map(p -> "nvcc (" + p + ")").orElse("NVRTC (no nvcc found)"));
        return 0;
    }
}
