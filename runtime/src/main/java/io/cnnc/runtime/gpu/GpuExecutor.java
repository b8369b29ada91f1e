package io.cnnc.runtime.gpu;

import io.cnnc.compiler.target.gpu.GpuPlan;
import io.cnnc.compiler.target.gpu.GpuPlan.Step;
import io.cnnc.kernels.gpu.GpuSource;
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
    private final DeviceMemory memory;
    private final List<Object[]> args = new ArrayList<>();

    public GpuExecutor(GpuBackend backend, GpuPlan plan) {
        this.backend = backend;
        this.plan = plan;
        backend.build(GpuSource.program(backend.dialect()));
        memory = new DeviceMemory(backend, plan.buffers());
        for (Step s : plan.steps()) args.add(memory.bind(s.launch()));
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
            long floats = plan.buffers().get(plan.inputs().get(i)).floats();
            if (inputs[i].length != floats) {
                throw new IllegalArgumentException("input " + i + " must have " + floats + " floats (batch " + plan.batch() + "), got " + inputs[i].length);
            }
            memory.write(plan.inputs().get(i), inputs[i]);
        }
    }

    private void enqueue(int i) {
        memory.launch(plan.steps().get(i).launch(), args.get(i));
    }

    private float[][] download() {
        float[][] out = new float[plan.outputs().size()][];
        for (int i = 0; i < out.length; i++) {
            GpuPlan.Output o = plan.outputs().get(i);
            out[i] = memory.read(o.buffer(), Math.toIntExact(o.shape().size() * plan.batch()));
        }
        return out;
    }

    @Override
    public void close() {
        memory.close();
    }
}
