package io.cnnc.runtime.gpu.opencl;

import static org.jocl.CL.*;

import io.cnnc.runtime.gpu.JvmSignalHandlers;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL platforms and devices of this machine, and which one cnnc uses: the device named by
 * {@code CNNC_OPENCL_DEVICE=platform:device} (indices as {@code cnnc devices} lists them), else
 * the first GPU, else the first accelerator, else the first device (PoCL's CPU device).
 */
public final class OpenClDevices {

    public static final String ENV = "CNNC_OPENCL_DEVICE";

    private OpenClDevices() {}

    public record Device(int platformIndex, int deviceIndex, String platform, String name, String type, int computeUnits,
                         long globalMemory, long localMemory, long maxWorkGroup, String version, cl_platform_id platformId, cl_device_id id) {}

    /** The devices found, or why there are none ({@code problem} is null when the scan worked). */
    public record Listing(List<Device> devices, String problem) {}

    private static final String INSTALL = "on Debian/Ubuntu run scripts/install-pocl.sh (PoCL's CPU device and the ICD loader), "
            + "or install a GPU driver with OpenCL support";

    /** Every device of every platform. */
    public static Listing scan() {
        try {
            return scanPlatforms();
        } finally {
            // PoCL sets up its CPU device (and LLVM's signal handlers) on the first device query.
            JvmSignalHandlers.reinstate();
        }
    }

    private static Listing scanPlatforms() {
        List<Device> out = new ArrayList<>();
        cl_platform_id[] platforms;
        JvmSignalHandlers.remember();
        try {
            CL.setExceptionsEnabled(true);
            int[] n = new int[1];
            clGetPlatformIDs(0, null, n);
            platforms = new cl_platform_id[n[0]];
            if (n[0] > 0) clGetPlatformIDs(n[0], platforms, null);
        } catch (LinkageError e) {
            // JOCL opens the unversioned libOpenCL.so, which only the loader's -dev package links.
            // (UnsatisfiedLinkError the first time, NoClassDefFoundError for CL after that.)
            return new Listing(out, "the OpenCL ICD loader libOpenCL.so cannot be loaded (" + e.getMessage().lines().findFirst().orElse("")
                    + "); " + INSTALL + "; the unversioned library comes with ocl-icd-opencl-dev");
        } catch (RuntimeException e) {
            return new Listing(out, "no OpenCL platform is registered (" + e.getMessage() + "); " + INSTALL);
        }
        if (platforms.length == 0) return new Listing(out, "no OpenCL platform is registered; " + INSTALL);
        for (int p = 0; p < platforms.length; p++) {
            int[] n = new int[1];
            try {
                clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, n);
            } catch (RuntimeException e) {
                continue;
            }
            cl_device_id[] devices = new cl_device_id[n[0]];
            clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, n[0], devices, null);
            String platformName = platformString(platforms[p], CL_PLATFORM_NAME);
            for (int d = 0; d < devices.length; d++) {
                cl_device_id id = devices[d];
                out.add(new Device(p, d, platformName, deviceString(id, CL_DEVICE_NAME), type(deviceLong(id, CL_DEVICE_TYPE)),
                        (int) deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS), deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE),
                        deviceLong(id, CL_DEVICE_LOCAL_MEM_SIZE), deviceSize(id, CL_DEVICE_MAX_WORK_GROUP_SIZE),
                        deviceString(id, CL_DEVICE_VERSION), platforms[p], id));
            }
        }
        return new Listing(out, out.isEmpty() ? "OpenCL platforms exist but have no devices" : null);
    }

    /** The device cnnc runs on, or an exception saying why there is none. */
    public static Device select() {
        Listing listing = scan();
        List<Device> all = listing.devices();
        if (all.isEmpty()) throw new IllegalStateException("no OpenCL device: " + listing.problem());
        String wanted = System.getenv(ENV);
        if (wanted != null && !wanted.isBlank()) {
            for (Device d : all) if ((d.platformIndex() + ":" + d.deviceIndex()).equals(wanted.trim())) return d;
            throw new IllegalStateException(ENV + "=" + wanted + " names no device; cnnc devices lists them as platform:device");
        }
        for (String type : List.of("GPU", "ACCELERATOR")) {
            for (Device d : all) if (d.type().contains(type)) return d;
        }
        return all.getFirst();
    }

    static String type(long t) {
        List<String> names = new ArrayList<>();
        if ((t & CL_DEVICE_TYPE_GPU) != 0) names.add("GPU");
        if ((t & CL_DEVICE_TYPE_CPU) != 0) names.add("CPU");
        if ((t & CL_DEVICE_TYPE_ACCELERATOR) != 0) names.add("ACCELERATOR");
        if ((t & CL_DEVICE_TYPE_CUSTOM) != 0) names.add("CUSTOM");
        return names.isEmpty() ? "OTHER" : String.join("+", names);
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1)).trim();
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1)).trim();
    }

    static String buildLog(org.jocl.cl_program program, cl_device_id d) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, d, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, d, CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1)).trim();
    }

    private static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }
}
