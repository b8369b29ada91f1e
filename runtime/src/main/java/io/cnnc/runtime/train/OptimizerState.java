package io.cnnc.runtime.train;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-parameter state buffers of an optimizer, by slot ({@code momentum}, {@code exp_avg}, ...),
 * and the step count: what a checkpoint saves as {@code <param>.<slot>}.
 */
final class OptimizerState {

    private final Map<String, Map<String, float[]>> slots = new HashMap<>();
    long steps;

    OptimizerState(String... slotNames) {
        for (String s : slotNames) slots.put(s, new HashMap<>());
    }

    /** The slot's buffer for a parameter, zero-filled on first use. */
    float[] buffer(String slot, String param, int length) {
        return slots.get(slot).computeIfAbsent(param, k -> new float[length]);
    }

    boolean has(String slot, String param) {
        return slots.get(slot).containsKey(param);
    }

    Map<String, float[]> export() {
        Map<String, float[]> out = new HashMap<>();
        slots.forEach((slot, buffers) -> buffers.forEach((param, b) -> out.put(param + "." + slot, b)));
        return out;
    }

    void restore(Map<String, float[]> state, long steps) {
        this.steps = steps;
        state.forEach((key, b) -> {
            for (String slot : slots.keySet()) {
                if (key.endsWith("." + slot)) slots.get(slot).put(key.substring(0, key.length() - slot.length() - 1), b);
            }
        });
    }
}
