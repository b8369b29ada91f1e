package io.cnnc.runtime.gpu;

import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.GpuSource;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.runtime.gpu.GpuBackend.DeviceBuffer;
import io.cnnc.runtime.gpu.GpuPlan.Buffer;
import io.cnnc.runtime.gpu.GpuPlan.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link GpuPlan} on a device: on construction it compiles the kernel library, allocates
 * every buffer once and uploads the weights; each {@link #run} then uploads the inputs, enqueues
 * every layer's kernels back to back (tensors stay on the device between layers) and reads back
 * only the outputs. Owns its buffers, not the back end.
 */
public final class GpuExecutor implements AutoCloseable {

    private final GpuBackend backend;
    private final GpuPlan plan;
    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private final List<Object[]> args = new ArrayList<>();

    public GpuExecutor(GpuBackend backend, GpuPlan plan) {
        this.backend = backend;
        this.plan = plan;
        backend.build(GpuSource.program(backend.dialect()));
        for (Buffer b : plan.buffers()) {
            DeviceBuffer d = backend.allocate(Math.max(1, b.floats()));
            buffers.add(d);
            if (b.data() != null) backend.write(d, b.data());
        }
        for (Step s : plan.steps()) args.add(resolve(s.launch()));
    }

    private Object[] resolve(Launch l) {
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

    public GpuPlan plan() {
        return plan;
    }

    /** One array per network input, each {@code batch * C * H * W} floats; returns one per output. */
    public float[][] run(float[][] inputs) {
        upload(inputs);
        for (int i = 0; i < plan.steps().size(); i++) enqueue(i);
        return download();
    }

    /**
     * Milliseconds per layer, each the median over {@code repeats} runs of that layer's launches
     * with the device drained before and after: includes launch overhead, as a real run does.
     */
    public Map<String, Double> profile(float[][] inputs, int repeats) {
        upload(inputs);
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (int r = 0; r < repeats; r++) {
            int i = 0;
            while (i < plan.steps().size()) {
                String layer = plan.steps().get(i).layer();
                backend.finish();
                long t = System.nanoTime();
                while (i < plan.steps().size() && plan.steps().get(i).layer().equals(layer)) enqueue(i++);
                backend.finish();
                times.computeIfAbsent(layer, k -> new ArrayList<>()).add((System.nanoTime() - t) / 1e6);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        times.forEach((k, v) -> out.put(k, v.stream().sorted().toList().get(v.size() / 2)));
        return out;
    }

    private void upload(float[][] inputs) {
        if (inputs.length != plan.inputs().size()) {
            throw new IllegalArgumentException(plan.network() + " takes " + plan.inputs().size() + " inputs, got " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            DeviceBuffer b = buffers.get(plan.inputs().get(i));
            if (inputs[i].length != b.floats()) {
                throw new IllegalArgumentException("input " + i + " must have " + b.floats() + " floats (batch " + plan.batch() + "), got " + inputs[i].length);
            }
            backend.write(b, inputs[i]);
        }
    }

    private void enqueue(int i) {
        Launch l = plan.steps().get(i).launch();
        backend.launch(l.kernel(), l.global(), l.local(), args.get(i));
    }

    private float[][] download() {
        float[][] out = new float[plan.outputs().size()][];
        for (int i = 0; i < out.length; i++) {
            GpuPlan.Output o = plan.outputs().get(i);
            out[i] = new float[Math.toIntExact(o.shape().size() * plan.batch())];
            backend.read(buffers.get(o.buffer()), out[i]);
        }
        return out;
    }

    @Override
    public void close() {
        for (DeviceBuffer b : buffers) backend.release(b);
        buffers.clear();
    }
}
