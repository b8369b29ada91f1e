package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VectorMathTest {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private interface F {
        FloatVector apply(FloatVector v);
    }

    private static float[] run(F f, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += S.length()) f.apply(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        return y;
    }

    private static float[] sweep(float lo, float hi, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * i / (n - 1);
        return x;
    }

    /**
     * Cephes expf is documented at about 1 ulp (its polynomial's error is below 2^-24 relative on
     * the reduced range) plus the roundings of the reduction and the final multiply: 2 ulps of the
     * correctly rounded result. Subnormal results carry that in absolute terms (ulp = 2^-149).
     */
    @Test
    void expWithinTwoUlpsOverTheWholeFloatRange() {
        float[] x = sweep(-110f, 90f, 200_000);
        float[] y = run(VectorMath::exp, x);
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.exp(x[i]);
            if (Float.isInfinite(want)) {
                assertThat(y[i]).as("exp(%s)", x[i]).isEqualTo(Float.POSITIVE_INFINITY);
            } else {
                assertThat(Math.abs(y[i] - want)).as("exp(%s) = %s, want %s", x[i], y[i], want).isLessThanOrEqualTo(2 * Math.ulp(want));
            }
        }
    }

    /**
     * Cephes tanhf: the odd polynomial below 0.625 is good to about 1 ulp; above, 1 - 2/(e^2x + 1)
     * adds the exp error, a divide and a subtract whose result is at least 0.55, so a few ulps of
     * e^2x/(e^2x+1)^2-scaled error: 3 ulps of the result bound both.
     */
    @Test
    void tanhWithinThreeUlps() {
        float[] x = sweep(-12f, 12f, 200_000);
        float[] y = run(VectorMath::tanh, x);
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.tanh(x[i]);
            assertThat(Math.abs(y[i] - want)).as("tanh(%s) = %s, want %s", x[i], y[i], want)
                    .isLessThanOrEqualTo(3 * Math.ulp(want) + Float.MIN_NORMAL);
        }
    }

    @Test
    void specialValues() {
        float[] x = new float[S.length()];
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1000f, -1000f};
        System.arraycopy(special, 0, x, 0, Math.min(special.length, x.length));
        float[] e = run(VectorMath::exp, x);
        float[] t = run(VectorMath::tanh, x);
        float[] s = run(VectorMath::sigmoid, x);
        assertThat(e[0]).isNaN();
        assertThat(t[0]).isNaN();
        assertThat(s[0]).isNaN();
        assertThat(new float[] {e[1], e[2], e[3], e[5], e[6]}).containsExactly(Float.POSITIVE_INFINITY, 0f, 1f, Float.POSITIVE_INFINITY, 0f);
        assertThat(new float[] {t[1], t[2], t[3], t[5], t[6]}).containsExactly(1f, -1f, 0f, 1f, -1f);
        assertThat(new float[] {s[1], s[2], s[3], s[5], s[6]}).containsExactly(1f, 0f, 0.5f, 1f, 0f);
    }
}
