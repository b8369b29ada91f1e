package io.cnnc.kernels.reference;

import java.util.Random;

/** Inputs for the reference-kernel tests. */
final class TestArrays {

    private TestArrays() {}

    /** 1, 2, ..., n: small integers keep hand-computed sums exact in float. */
    static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = i + 1;
        return a;
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static float[] filled(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
