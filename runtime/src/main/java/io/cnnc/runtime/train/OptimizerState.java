package io.cnnc.runtime.train;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-parameter state buffers of an optimizer as {@code <param>.<slot>} ({@code conv1.weight.momentum}),
 * what a checkpoint saves, and the step count.
 */
final class OptimizerState {

    /** By {@code <param>.<slot>}: the form a generated training step's update reads and fills too. */
    final Map<String, float[]> buffers = new HashMap<>();
    long steps;

    /** The slot's buffer for a parameter, zero-filled on first use. */
    float[] buffer(String slot, String param, int length) {
        return buffers.computeIfAbsent(param + "." + slot, k -> new float[length]);
    }

    boolean has(String slot, String param) {
        return buffers.containsKey(param + "." + slot);
    }

    Map<String, float[]> export() {
        return new HashMap<>(buffers);
    }

    /** Only the slots named in {@code slots}: a checkpoint holds weights and other state too. */
    void restore(Map<String, float[]> state, long steps, Iterable<String> slots) {
        this.steps = steps;
        state.forEach((key, b) -> {
            for (String slot : slots) if (key.endsWith("." + slot)) buffers.put(key, b);
        });
    }
}
