package io.cnnc.runtime.gpu.opencl;

import static org.jocl.CL.*;

import io.cnnc.kernels.gpu.Dialect;
import io.cnnc.runtime.gpu.GpuBackend;
import io.cnnc.runtime.gpu.JvmSignalHandlers;
import java.util.HashMap;
import java.util.Map;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/** {@link GpuBackend} on OpenCL 1.2 through JOCL: one context, one in-order queue, one program. */
public final class OpenClBackend implements GpuBackend {

    private final OpenClDevices.Device device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_mem dummy;
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private cl_program program;
    private String built;

    private record Buffer(cl_mem mem, long floats) implements DeviceBuffer {}

    public OpenClBackend(OpenClDevices.Device device) {
        this.device = device;
        CL.setExceptionsEnabled(true);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platformId());
        context = clCreateContext(props, 1, new org.jocl.cl_device_id[] {device.id()}, null, null, null);
        queue = clCreateCommandQueue(context, device.id(), 0, null);
        dummy = clCreateBuffer(context, CL_MEM_READ_WRITE, Sizeof.cl_float, null, null);
        JvmSignalHandlers.reinstate();
    }

    /** The device {@link OpenClDevices#select()} picks. */
    public static OpenClBackend open() {
        return new OpenClBackend(OpenClDevices.select());
    }

    @Override
    public String deviceName() {
        return device.name() + " (" + device.platform() + ", " + device.type() + ")";
    }

    @Override
    public Dialect dialect() {
        return Dialect.OPENCL;
    }

    @Override
    public void build(String source) {
        if (source.equals(built)) return;
        releaseProgram();
        program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(program, 0, null, "-cl-std=CL1.2", null, null);
        } catch (CLException e) {
            String log = OpenClDevices.buildLog(program, device.id());
            throw new IllegalStateException("OpenCL build failed on " + deviceName() + ": " + e.getMessage() + "\n" + log, e);
        } finally {
            JvmSignalHandlers.reinstate();
        }
        built = source;
    }

    @Override
    public DeviceBuffer allocate(long floats) {
        return new Buffer(clCreateBuffer(context, CL_MEM_READ_WRITE, floats * Sizeof.cl_float, null, null), floats);
    }

    @Override
    public void release(DeviceBuffer buffer) {
        clReleaseMemObject(((Buffer) buffer).mem());
    }

    @Override
    public void write(DeviceBuffer buffer, float[] data, int offset, int count) {
        check(buffer, count);
        clEnqueueWriteBuffer(queue, ((Buffer) buffer).mem(), CL_TRUE, 0, (long) count * Sizeof.cl_float,
                Pointer.to(data).withByteOffset((long) offset * Sizeof.cl_float), 0, null, null);
    }

    @Override
    public void read(DeviceBuffer buffer, float[] out) {
        check(buffer, out.length);
        clEnqueueReadBuffer(queue, ((Buffer) buffer).mem(), CL_TRUE, 0, (long) out.length * Sizeof.cl_float, Pointer.to(out), 0, null, null);
    }

    private static void check(DeviceBuffer buffer, int count) {
        if (count > buffer.floats()) throw new IllegalArgumentException(count + " floats do not fit a buffer of " + buffer.floats());
    }

    @Override
    public void launch(String name, long[] global, long[] local, Object[] args) {
        if (program == null) throw new IllegalStateException("build() the kernel library first");
        cl_kernel k = kernels.computeIfAbsent(name, n -> clCreateKernel(program, n, null));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case null -> clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(dummy));
                case Buffer b -> clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(b.mem()));
                case Integer v -> clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
                case Float v -> clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
                default -> throw new IllegalArgumentException("kernel argument of type " + args[i].getClass());
            }
        }
        try {
            clEnqueueNDRangeKernel(queue, k, 3, null, global, local, 0, null, null);
        } catch (CLException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void finish() {
        clFinish(queue);
    }

    private void releaseProgram() {
        kernels.values().forEach(CL::clReleaseKernel);
        kernels.clear();
        if (program != null) clReleaseProgram(program);
        program = null;
    }

    @Override
    public void close() {
        releaseProgram();
        clReleaseMemObject(dummy);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
