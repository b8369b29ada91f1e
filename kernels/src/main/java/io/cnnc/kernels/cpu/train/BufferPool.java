package io.cnnc.kernels.cpu.train;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A training step's activation and gradient arrays, pooled by length: an activation the memory
 * plan drops after the forward, a recomputed one after its last backward reader, and a value's
 * gradient once its node's backward has read it all come back here, so a step needs only as many
 * arrays as are alive at once (TrainingMemoryPlan), and after the first step it allocates none.
 */
public final class BufferPool {

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private boolean poison;

    /** For tests: every array taken for an op that claims to overwrite it, and every array given back, is filled with NaN. */
    public void poison() {
        poison = true;
    }

    /** An array of {@code length} floats, zeroed unless the op {@code overwritten} it. */
    public float[] take(int length, boolean overwritten) {
        return take(length, overwritten, poison);
    }

    /** Gives back {@code a} where it is not null; returns null, for the caller's field. */
    public float[] giveBack(float[] a) {
        if (a == null) return null;
        if (poison) Arrays.fill(a, Float.NaN);
        give(a);
        return null;
    }

    /** An array of {@code length} floats, prepared as {@link #prepared} says. */
    public float[] take(int length, boolean overwritten, boolean poison) {
        ArrayDeque<float[]> q = free.get(length);
        return prepared(q == null || q.isEmpty() ? new float[length] : q.pop(), overwritten, poison);
    }

    /** Forgets every free array (the collector takes them). */
    public void clear() {
        free.clear();
    }

    /** Gives back an array nothing reads any more. */
    public void give(float[] a) {
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /**
     * {@code a} zeroed for an op that adds into it, left as it is for one that {@code overwrites}
     * it, or filled with NaN there when a test asks ({@code poison}), so that a false claim shows.
     */
    public static float[] prepared(float[] a, boolean overwritten, boolean poison) {
        if (!overwritten) Arrays.fill(a, 0f);
        else if (poison) Arrays.fill(a, Float.NaN);
        return a;
    }
}
