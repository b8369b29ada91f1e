package io.cnnc.runtime.gpu.cuda;

import static jcuda.driver.JCudaDriver.*;

import io.cnnc.kernels.gpu.Dialect;
import io.cnnc.runtime.gpu.GpuBackend;
import io.cnnc.runtime.gpu.JvmSignalHandlers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * {@link GpuBackend} on the CUDA driver API through JCuda: one context on device
 * {@code $CNNC_CUDA_DEVICE} (default 0), the kernel library as CUDA C compiled to PTX for the
 * device's compute capability ({@link CudaCompiler}), launches on the default stream, whose
 * order is the plan's order.
 */
public final class CudaBackend implements GpuBackend {

    /** CUDA limits grid dimensions y and z to 65535 blocks. */
    private static final long MAX_GRID_YZ = 65535;

    private final CUcontext context = new CUcontext();
    private final String name;
    private final String arch;
    private final CUdeviceptr dummy = new CUdeviceptr();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private CUmodule module;
    private String built;

    private record Buffer(CUdeviceptr ptr, long floats) implements DeviceBuffer {}

    public record DeviceInfo(int index, String name, String arch, int multiprocessors, long memory) {}

    private CudaBackend(int index) {
        CUdevice device = new CUdevice();
        cuDeviceGet(device, index);
        DeviceInfo info = info(index, device);
        name = info.name() + " (" + info.arch() + ")";
        arch = info.arch();
        cuCtxCreate(context, 0, device);
        cuMemAlloc(dummy, Sizeof.FLOAT);
    }

    /** The device {@code $CNNC_CUDA_DEVICE} (default 0), or an exception saying why CUDA is unusable here. */
    public static CudaBackend open() {
        List<DeviceInfo> devices = devices();
        String wanted = System.getenv().getOrDefault("CNNC_CUDA_DEVICE", "0").trim();
        int index;
        try {
            index = Integer.parseInt(wanted);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("CNNC_CUDA_DEVICE=" + wanted + " is not a device number");
        }
        if (index < 0 || index >= devices.size()) {
            throw new IllegalStateException("no CUDA device " + index + " (" + devices.size() + " found)");
        }
        return new CudaBackend(index);
    }

    /** Every CUDA device; throws with the reason when the driver cannot be used at all. */
    public static List<DeviceInfo> devices() {
        JvmSignalHandlers.remember();
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
        } catch (LinkageError e) {
            // UnsatisfiedLinkError the first time JCuda's library cannot link libcuda.so.1,
            // NoClassDefFoundError on every later use of the class whose initialisation failed.
            throw new IllegalStateException("no CUDA device: the NVIDIA driver (libcuda.so) is not installed on this machine", e);
        } catch (CudaException e) {
            throw new IllegalStateException("no CUDA device: cuInit failed with " + e.getMessage(), e);
        } finally {
            JvmSignalHandlers.reinstate();
        }
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] == 0) throw new IllegalStateException("no CUDA device: the driver is installed but reports no device");
        List<DeviceInfo> out = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice d = new CUdevice();
            cuDeviceGet(d, i);
            out.add(info(i, d));
        }
        return out;
    }

    private static DeviceInfo info(int index, CUdevice d) {
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, d);
        int[] major = new int[1], minor = new int[1], sms = new int[1];
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d);
        cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d);
        long[] mem = new long[1];
        cuDeviceTotalMem(mem, d);
        String n = new String(name, java.nio.charset.StandardCharsets.US_ASCII);
        n = n.substring(0, Math.max(0, n.indexOf(0) >= 0 ? n.indexOf(0) : n.length())).trim();
        return new DeviceInfo(index, n, "sm_" + major[0] + minor[0], sms[0], mem[0]);
    }

    @Override
    public String deviceName() {
        return name;
    }

    @Override
    public Dialect dialect() {
        return Dialect.CUDA;
    }

    @Override
    public void build(String source) {
        if (source.equals(built)) return;
        cuCtxSetCurrent(context);
        if (module != null) cuModuleUnload(module);
        functions.clear();
        module = new CUmodule();
        cuModuleLoadData(module, CudaCompiler.ptx(source, arch));
        built = source;
    }

    @Override
    public DeviceBuffer allocate(long floats) {
        cuCtxSetCurrent(context);
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, floats * Sizeof.FLOAT);
        return new Buffer(p, floats);
    }

    @Override
    public void release(DeviceBuffer buffer) {
        cuMemFree(((Buffer) buffer).ptr());
    }

    @Override
    public void write(DeviceBuffer buffer, float[] data, int offset, int count) {
        if (count > buffer.floats()) throw new IllegalArgumentException(count + " floats do not fit a buffer of " + buffer.floats());
        cuMemcpyHtoD(((Buffer) buffer).ptr(), Pointer.to(data).withByteOffset((long) offset * Sizeof.FLOAT), (long) count * Sizeof.FLOAT);
    }

    @Override
    public void read(DeviceBuffer buffer, float[] out) {
        if (out.length > buffer.floats()) throw new IllegalArgumentException(out.length + " floats do not fit a buffer of " + buffer.floats());
        cuMemcpyDtoH(Pointer.to(out), ((Buffer) buffer).ptr(), (long) out.length * Sizeof.FLOAT);
    }

    @Override
    public void launch(String kernel, long[] global, long[] local, Object[] args) {
        if (module == null) throw new IllegalStateException("build() the kernel library first");
        CUfunction f = functions.computeIfAbsent(kernel, k -> {
            CUfunction fn = new CUfunction();
            cuModuleGetFunction(fn, module, k);
            return fn;
        });
        long[] grid = {global[0] / local[0], global[1] / local[1], global[2] / local[2]};
        if (grid[1] > MAX_GRID_YZ || grid[2] > MAX_GRID_YZ) {
            throw new IllegalStateException(kernel + ": grid " + grid[1] + " x " + grid[2] + " exceeds CUDA's 65535 blocks in y or z");
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case null -> Pointer.to(dummy);
                case Buffer b -> Pointer.to(b.ptr());
                case Integer v -> Pointer.to(new int[] {v});
                case Float v -> Pointer.to(new float[] {v});
                default -> throw new IllegalArgumentException("kernel argument of type " + args[i].getClass());
            };
        }
        cuLaunchKernel(f, (int) grid[0], (int) grid[1], (int) grid[2], (int) local[0], (int) local[1], (int) local[2], 0, null,
                Pointer.to(params), null);
    }

    @Override
    public void finish() {
        cuCtxSynchronize();
    }

    @Override
    public void close() {
        cuCtxSetCurrent(context);
        if (module != null) cuModuleUnload(module);
        cuMemFree(dummy);
        cuCtxDestroy(context);
    }
}
