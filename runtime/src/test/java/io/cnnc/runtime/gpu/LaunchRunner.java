package io.cnnc.runtime.gpu;

import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.GpuSource;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.runtime.gpu.GpuBackend.DeviceBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs hand-made launches on a device with buffers given as arrays (inputs) or sizes (outputs,
 * scratch): the kernels tested one at a time, without a network around them. Output and scratch
 * buffers start as NaN so a kernel that skips an element cannot pass by reading a zero.
 */
final class LaunchRunner {

    private final GpuBackend backend;
    private final List<float[]> contents = new ArrayList<>();

    LaunchRunner(GpuBackend backend) {
        this.backend = backend;
        backend.build(GpuSource.program(backend.dialect()));
    }

    /** A buffer with this content; returns its id for {@link Arg#buffer}. */
    int buffer(float[] data) {
        contents.add(data.clone());
        return contents.size() - 1;
    }

    /** A buffer of {@code floats} NaNs. */
    int empty(long floats) {
        float[] d = new float[Math.toIntExact(Math.max(1, floats))];
        Arrays.fill(d, Float.NaN);
        return buffer(d);
    }

    /** Runs the launches in order; returns every buffer's final contents by id. */
    List<float[]> run(List<Launch> launches) {
        List<DeviceBuffer> device = new ArrayList<>();
        try {
            for (float[] c : contents) {
                DeviceBuffer b = backend.allocate(c.length);
                backend.write(b, c);
                device.add(b);
            }
            for (Launch l : launches) {
                Object[] args = new Object[l.args().size()];
                for (int i = 0; i < args.length; i++) {
                    args[i] = switch (l.args().get(i)) {
                        case Arg.Buffer b -> b.id() == Arg.NO_BUFFER ? null : device.get(b.id());
                        case Arg.Int v -> v.value();
                        case Arg.Float v -> v.value();
                    };
                }
                backend.launch(l.kernel(), l.global(), l.local(), args);
            }
            List<float[]> out = new ArrayList<>();
            for (int i = 0; i < device.size(); i++) {
                float[] r = new float[contents.get(i).length];
                backend.read(device.get(i), r);
                out.add(r);
            }
            return out;
        } finally {
            device.forEach(backend::release);
        }
    }
}
