package io.cnnc.runtime.gpu;

import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.compiler.train.UpdateRule;
import io.cnnc.compiler.target.gpu.GpuTrainingPlan;
import io.cnnc.compiler.target.gpu.GpuTrainingPlanner;
import io.cnnc.kernels.cpu.train.Dropout;
import io.cnnc.kernels.gpu.GpuSource;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.runtime.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a network on a device with its training plan's update rule (SGD, Adam, AdamW): parameters, activations and gradients stay on the
 * device; per step only the batch, its labels and the dropout masks go up and the per-sample
 * loss comes back. Dropout masks come from the CPU trainer's random stream (same seed, same
 * masks), so the two trainers can be compared step for step.
 */
public final class GpuTrainer implements AutoCloseable {

    public record StepResult(double loss, int correct) {}

    private final GpuTrainingPlan plan;
    private final DeviceMemory memory;
    private final List<Object[]> forward = new ArrayList<>();
    private final List<Object[]> backward = new ArrayList<>();
    private final UpdateRule rule;
    private final long seed;
    private SplittableRandom random;
    private long steps;

    /**
     * Trains {@code training}'s steps, those the CPU trainer runs, with its update rule, at
     * {@code batch}; {@code labelSmoothing} as the cross-entropy's.
     */
    public GpuTrainer(GpuBackend backend, TrainingPlan training, Map<String, Tensor> params, int batch, double labelSmoothing, long seed) {
        this.plan = GpuTrainingPlanner.plan(training, Tensor.arrays(params), batch, labelSmoothing);
        this.rule = training.rule();
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        backend.build(GpuSource.program(backend.dialect()));
        memory = new DeviceMemory(backend, plan.buffers());
        for (Launch l : plan.forward()) forward.add(memory.bind(l));
        for (Launch l : plan.backward()) backward.add(memory.bind(l));
    }

    public GpuTrainingPlan plan() {
        return plan;
    }

    /** As the CPU trainer: each epoch's dropout masks come from a stream of their own. */
    public void startEpoch(int epoch) {
        random = Dropout.epochStream(seed, epoch);
    }

    /** Forward pass in training mode, loss and gradients (BatchNorm's running statistics move), no update. */
    public StepResult gradients(float[] x, int[] labels) {
        memory.write(plan.input(), x);
        float[] l = new float[labels.length];
        for (int i = 0; i < l.length; i++) l[i] = labels[i];
        memory.write(plan.labels(), l);
        for (GpuTrainingPlan.DropoutMask m : plan.masks()) memory.write(m.buffer(), mask(m));
        for (int i = 0; i < forward.size(); i++) memory.launch(plan.forward().get(i), forward.get(i));
        for (int i = 0; i < backward.size(); i++) memory.launch(plan.backward().get(i), backward.get(i));
        float[] stats = memory.read(plan.stats(), 2 * plan.batch());
        double loss = 0;
        int correct = 0;
        for (int n = 0; n < plan.batch(); n++) {
            loss += stats[n];
            correct += (int) stats[plan.batch() + n];
        }
        return new StepResult(loss / plan.batch(), correct);
    }

    /** One optimizer step (the plan's update rule) at learning rate {@code lr} on this batch. */
    public StepResult step(float[] x, int[] labels, double lr) {
        StepResult r = gradients(x, labels);
        boolean first = steps == 0;
        steps++;
        for (Map.Entry<String, Integer> g : plan.grads().entrySet()) {
            int p = plan.params().get(g.getKey());
            memory.launch(rule.gpu(p, g.getValue(), plan.state().get(g.getKey()), plan.buffers().get(p).floats(), first, steps, lr));
        }
        return r;
    }

    /** Optimizer steps taken so far. */
    public long steps() {
        return steps;
    }

    /** The update rule's state on the device, as {@code <param>.<slot>} (the checkpoint's optimizer entries). */
    public Map<String, float[]> readState() {
        Map<String, float[]> out = new LinkedHashMap<>();
        java.util.List<String> slots = rule.slots();
        plan.state().forEach((param, buffers) -> {
            for (int i = 0; i < buffers.length; i++) {
                out.put(param + "." + slots.get(i), memory.read(buffers[i], Math.toIntExact(plan.buffers().get(buffers[i]).floats())));
            }
        });
        return out;
    }

    /**
     * Continues a run (--resume): the checkpoint's parameters and running statistics, the update
     * rule's state ({@code <param>.<slot>}) and step count go to the device.
     */
    public void resume(Map<String, Tensor> params, Map<String, float[]> state, long steps) {
        plan.params().forEach((name, buffer) -> memory.write(buffer, params.get(name).data()));
        java.util.List<String> slots = rule.slots();
        plan.state().forEach((param, buffers) -> {
            for (int i = 0; i < buffers.length; i++) {
                float[] saved = state.get(param + "." + slots.get(i));
                if (saved == null) throw new IllegalArgumentException("the checkpoint has no " + slots.get(i) + " for " + param);
                memory.write(buffers[i], saved);
            }
        });
        this.steps = steps;
    }

    /** Same draws as GraphTrainer: one nextDouble per element, layer by layer in graph order. */
    private float[] mask(GpuTrainingPlan.DropoutMask m) {
        float[] out = new float[m.floats()];
        float keep = (float) (1 / (1 - m.p()));
        for (int i = 0; i < out.length; i++) out[i] = random.nextDouble() < m.p() ? 0f : keep;
        return out;
    }

    /** The last forward pass's logits, {@code [batch, classes]}. */
    public float[] logits() {
        return memory.read(plan.logits(), plan.batch() * plan.classes());
    }

    /** Gradients of the last {@link #gradients} or {@link #step}, by parameter name. */
    public Map<String, float[]> readGradients() {
        return read(plan.grads());
    }

    /** Parameters and running statistics as they are on the device now. */
    public Map<String, float[]> readParameters() {
        return read(plan.params());
    }

    /** Copies the device's parameters and running statistics into {@code params} (for evaluation and checkpoints). */
    public void copyParametersTo(Map<String, Tensor> params) {
        readParameters().forEach((k, v) -> System.arraycopy(v, 0, params.get(k).data(), 0, v.length));
    }

    private Map<String, float[]> read(Map<String, Integer> ids) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : ids.entrySet()) out.put(e.getKey(), memory.read(e.getValue(), Math.toIntExact(plan.buffers().get(e.getValue()).floats())));
        return out;
    }

    @Override
    public void close() {
        memory.close();
    }

    @Override
    public String toString() {
        return "GpuTrainer[" + plan.network() + ", batch " + plan.batch() + ", " + plan.forward().size() + " forward and "
                + plan.backward().size() + " backward launches, " + steps + " steps]";
    }
}
