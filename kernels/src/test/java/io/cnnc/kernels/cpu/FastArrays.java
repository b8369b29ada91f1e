package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;

/** Inputs and comparisons shared by the fast-kernel tests. */
final class FastArrays {

    private FastArrays() {}

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** Bit-for-bit equal (NaN equals NaN); reports the first difference. Cheaper than containsExactly on large arrays. */
    static void assertIdentical(float[] got, float[] want, String what) {
        assertThat(got).as(what).hasSameSizeAs(want);
        int at = Arrays.mismatch(got, want);
        if (at >= 0) assertThat(got[at]).as("%s: first difference at %d", what, at).isEqualTo(want[at]);
    }

    static void assertClose(float[] got, float[] want, double tol, String what) {
        assertThat(got).as(what).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(got[i] - (double) want[i]) <= tol) continue; // an assertion per element would be slow
            assertThat((double) got[i]).as("%s at %d", what, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol));
        }
    }
}
