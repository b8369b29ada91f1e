package io.cnnc.compiler.target.gpu;

import io.cnnc.kernels.gpu.Launch;
import java.util.List;
import java.util.Map;

/**
 * A network ready to train on a device: every buffer (parameters with their contents; every
 * activation kept for the backward pass; gradients; BatchNorm's saved statistics; labels and
 * loss), the launches of the training-mode forward pass and loss, and of the backward pass.
 * {@code params} and {@code grads} map parameter names to buffers, {@code state} to the buffers
 * of the update rule's slots (momentum; Adam's moments) in the rule's order; running statistics
 * are in {@code params} too, without a gradient.
 */
public record GpuTrainingPlan(String network, int batch, int classes, List<GpuPlan.Buffer> buffers, List<Launch> forward,
                              List<Launch> backward, Map<String, Integer> params, Map<String, Integer> grads, Map<String, int[]> state,
                              int input, int labels, int logits, int stats, List<DropoutMask> masks) {

    /** A dropout layer's mask, drawn on the host each step (the CPU trainer's random stream) and uploaded. */
    public record DropoutMask(int buffer, int floats, double p) {}

    public GpuTrainingPlan {
        buffers = List.copyOf(buffers);
        forward = List.copyOf(forward);
        backward = List.copyOf(backward);
        // Kept in graph order (Map.copyOf's order changes from run to run).
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        grads = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(grads));
        state = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(state));
        masks = List.copyOf(masks);
    }
}
