package io.cnnc.runtime.train;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The backward pass's gradient arrays, pooled by length: a value's gradient is dead once its
 * node's backward has read it, so a step needs only as many arrays as are alive at once, not
 * one per node. Kept per node, they were a third of ResNet-20's live heap at batch 128.
 */
final class GradientBuffers {

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();

    /** An array of {@code length} floats, prepared as {@link #prepared} says. */
    float[] take(int length, boolean overwritten, boolean poison) {
        ArrayDeque<float[]> q = free.get(length);
        return prepared(q == null || q.isEmpty() ? new float[length] : q.pop(), overwritten, poison);
    }

    /** Gives back an array nothing reads any more. */
    void give(float[] a) {
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /**
     * {@code a} zeroed for an op that adds into it, left as it is for one that {@code overwrites}
     * it, or filled with NaN there when a test asks ({@code poison}), so that a false claim shows.
     */
    static float[] prepared(float[] a, boolean overwritten, boolean poison) {
        if (!overwritten) Arrays.fill(a, 0f);
        else if (poison) Arrays.fill(a, Float.NaN);
        return a;
    }
}
