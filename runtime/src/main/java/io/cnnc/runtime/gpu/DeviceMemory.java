package io.cnnc.runtime.gpu;

import io.cnnc.compiler.target.gpu.GpuPlan.Buffer;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.runtime.gpu.GpuBackend.DeviceBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A plan's buffers on a device, allocated once with weights uploaded, and launches bound to
 * them: what the inference executor and the trainer share.
 */
final class DeviceMemory implements AutoCloseable {

    private final GpuBackend backend;
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    DeviceMemory(GpuBackend backend, List<Buffer> specs) {
        this.backend = backend;
        for (Buffer b : specs) {
            DeviceBuffer d = backend.allocate(Math.max(1, b.floats()));
            buffers.add(d);
            if (b.data() != null) backend.write(d, b.data());
        }
    }

    DeviceBuffer get(int id) {
        return buffers.get(id);
    }

    /** The launch's arguments with buffer numbers replaced by device buffers. */
    Object[] bind(Launch l) {
        Object[] out = new Object[l.args().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (l.args().get(i)) {
                case Arg.Buffer b -> b.id() == Arg.NO_BUFFER ? null : buffers.get(b.id());
                case Arg.Int v -> v.value();
                case Arg.Float v -> v.value();
            };
        }
        return out;
    }

    void launch(Launch l, Object[] bound) {
        backend.launch(l.kernel(), l.global(), l.local(), bound);
    }

    void launch(Launch l) {
        launch(l, bind(l));
    }

    float[] read(int id, int floats) {
        float[] out = new float[floats];
        backend.read(buffers.get(id), out);
        return out;
    }

    void write(int id, float[] data) {
        backend.write(buffers.get(id), data);
    }

    @Override
    public void close() {
        for (DeviceBuffer b : buffers) backend.release(b);
        buffers.clear();
    }
}
