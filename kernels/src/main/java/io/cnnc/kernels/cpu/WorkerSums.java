package io.cnnc.kernels.cpu;

import java.util.Arrays;

/**
 * Per-worker accumulator arrays of a reduction over a batch (a weight gradient's partial sums),
 * kept between calls on the caller's thread: megabytes for a 64-channel layer, new ones were G1
 * humongous allocations at every layer of every step. One instance per kind of sum.
 */
public final class WorkerSums {

    private final ThreadLocal<float[][]> kept = ThreadLocal.withInitial(() -> new float[0][]);

    /** {@code count} arrays whose first {@code floats} are zero (they may be longer: layers of several sizes share them). */
    public float[][] zeroed(int count, int floats) {
        float[][] arrays = kept.get();
        if (arrays.length < count) {
            arrays = Arrays.copyOf(arrays, count);
            kept.set(arrays);
        }
        for (int i = 0; i < count; i++) {
            if (arrays[i] == null || arrays[i].length < floats) arrays[i] = new float[floats];
            else Arrays.fill(arrays[i], 0, floats, 0f);
        }
        return Arrays.copyOf(arrays, count);
    }
}
