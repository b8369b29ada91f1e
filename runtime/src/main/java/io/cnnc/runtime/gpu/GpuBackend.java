package io.cnnc.runtime.gpu;

import io.cnnc.kernels.gpu.Dialect;

/**
 * What the executors need of a device API (OpenCL through JOCL, CUDA through JCuda): compile
 * the kernel library, allocate float buffers, copy to and from them, and enqueue kernels in
 * order on one queue/stream. Launch arguments are {@link DeviceBuffer}s, {@code Integer}s and
 * {@code Float}s; a {@code null} buffer argument binds a one-float dummy.
 */
public interface GpuBackend extends AutoCloseable {

    /** A device allocation of {@link #floats()} floats. */
    interface DeviceBuffer {
        long floats();
    }

    String deviceName();

    Dialect dialect();

    /** Compiles {@code source}; a second call with the same text does nothing. */
    void build(String source);

    DeviceBuffer allocate(long floats);

    void release(DeviceBuffer buffer);

    /** Copies {@code count} floats from {@code data[offset...]} to the start of {@code buffer}. */
    void write(DeviceBuffer buffer, float[] data, int offset, int count);

    /** Copies the first {@code out.length} floats of {@code buffer}; waits for every launch before. */
    void read(DeviceBuffer buffer, float[] out);

    /** Enqueues; returns before the kernel has run. */
    void launch(String kernel, long[] global, long[] local, Object[] args);

    /** Waits until every launch so far has finished. */
    void finish();

    @Override
    void close();

    default void write(DeviceBuffer buffer, float[] data) {
        write(buffer, data, 0, data.length);
    }
}
