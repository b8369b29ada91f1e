package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.reference.ActivationReference;
import io.cnnc.kernels.reference.AddReference;
import io.cnnc.kernels.reference.BatchNormReference;
import io.cnnc.kernels.reference.MulReference;
import io.cnnc.kernels.reference.ScaleReference;
import io.cnnc.kernels.reference.ShiftReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class FastElementwiseTest {

    private static final double EPS = Math.ulp(1f) / 2; // 2^-24
    /** Shapes (batch, channels, spatial): tails shorter than a vector, one value per plane, and big enough for several tasks. */
    private static final int[][] SHAPES = {{1, 1, 1}, {1, 3, 7}, {3, 5, 17}, {3, 7, 1}, {1, 64, 49}, {3, 17, 899}, {1, 8, 3136}};

    /** Inputs with the values where formulas break: NaN, infinities, zeros, huge, and around ReLU6's and HardSwish's kinks. */
    private static float[] awkward(int n, long seed) {
        float[] x = FastArrays.random(n, seed);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e30f, -1e30f, -100f, 100f,
                           -3f, 3f, 6f, -2.9999998f, 5.9999995f, 1e-30f, -89f, 89f};
        for (int i = 0; i < n && i < special.length; i++) x[(int) ((long) i * 7919 % n)] = special[i];
        for (int i = 0; i < n; i += 5) x[i] *= 8; // spread past the clamps at +-3 and 6
        return x;
    }

    @Test
    void addEqualsTheReferenceExactly() {
        for (int[] s : SHAPES) {
            int n = s[0] * s[1] * s[2];
            float[] a = awkward(n, 1), b = FastArrays.random(n, 2);
            float[] want = new float[n];
            AddReference.forward(a, b, want);
            for (int threads : new int[] {1, 2}) {
                float[] got = new float[n];
                FastElementwise.add(a, b, got, Parallel.of(threads));
                FastArrays.assertIdentical(got, want, "fast vs reference");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void activationMatchesTheReference(ActivationKind kind) {
        for (int[] s : SHAPES) {
            int n = s[0] * s[1] * s[2];
            float[] x = awkward(n, n);
            float[] want = new float[n];
            ActivationReference.forward(kind, 0.1, x, want);
            for (int threads : new int[] {1, 2}) {
                float[] got = new float[n];
                FastActivation.forward(kind, 0.1, x, got, Parallel.of(threads));
                assertActivationClose(got, want, kind + " n=" + n + " threads " + threads);
                float[] inPlace = x.clone();
                FastActivation.forward(kind, 0.1, inPlace, inPlace, Parallel.of(threads));
                FastArrays.assertIdentical(inPlace, got, "in place");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void fusedAddActivationIsAddThenActivation(ActivationKind kind) {
        for (int[] s : SHAPES) {
            int n = s[0] * s[1] * s[2];
            float[] a = awkward(n, 3), b = FastArrays.random(n, 4);
            float[] sum = new float[n];
            AddReference.forward(a, b, sum);
            float[] want = new float[n];
            ActivationReference.forward(kind, 0.2, sum, want);
            for (int threads : new int[] {1, 2}) {
                float[] got = new float[n];
                FastElementwise.add(a, b, got, kind, 0.2, Parallel.of(threads));
                assertActivationClose(got, want, kind + " n=" + n + " threads " + threads);
            }
        }
    }

    /**
     * Float instead of double: LeakyReLU rounds alpha (1 ulp), HardSigmoid/HardSwish round v+3,
     * the clamp product and /6 (an absolute 2^-24 * 3 from v+3 near -3, a few ulps elsewhere),
     * SIGMOID/SILU/TANH add the vector exp/tanh's 1 ulp to an add and a divide. 8 ulps of the
     * result plus 1e-6 absolute (for the cancellation near -3 and the subnormal tails SILU
     * flushes to -0) covers all of them; a wrong formula is off by far more. NaN and infinities
     * must match exactly.
     */
    private static void assertActivationClose(float[] got, float[] want, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i])) {
                assertThat(got[i]).as("%s at %d", what, i).isNaN();
            } else if (Float.isInfinite(want[i])) {
                assertThat(got[i]).as("%s at %d", what, i).isEqualTo(want[i]);
            } else {
                double tol = 1e-6 + 8 * Math.ulp(want[i]);
                // assertThat only on a miss: building an assertion per element made this test take seconds.
                if (Math.abs(got[i] - (double) want[i]) <= tol) continue;
                assertThat((double) got[i]).as("%s at %d", what, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol));
            }
        }
    }

    @Test
    void mulEqualsTheReferenceExactlyInBothForms() {
        for (int[] s : SHAPES) {
            int batch = s[0], channels = s[1], spatial = s[2], n = batch * channels * spatial;
            float[] a = awkward(n, 5);
            for (boolean perChannel : new boolean[] {false, true}) {
                float[] b = FastArrays.random(perChannel ? batch * channels : n, 6);
                float[] want = new float[n];
                MulReference.forward(a, b, batch, channels, spatial, perChannel, want);
                for (int threads : new int[] {1, 2}) {
                    float[] got = new float[n];
                    FastElementwise.mul(a, b, batch, channels, spatial, perChannel, got, Parallel.of(threads));
                    FastArrays.assertIdentical(got, want, String.format("perChannel %s", perChannel));
                }
            }
        }
    }

    @Test
    void scaleAndShiftEqualTheReferenceExactly() {
        for (int[] s : SHAPES) {
            int batch = s[0], channels = s[1], spatial = s[2], n = batch * channels * spatial;
            float[] x = awkward(n, 7);
            float[] w = FastArrays.random(channels, 8);
            float[] want = new float[n];
            float[] got = new float[n];
            for (int threads : new int[] {1, 2}) {
                ScaleReference.forward(x, batch, channels, spatial, w, want);
                FastChannelAffine.scale(x, batch, channels, spatial, w, got, Parallel.of(threads));
                FastArrays.assertIdentical(got, want, "scale");
                ShiftReference.forward(x, batch, channels, spatial, w, want);
                FastChannelAffine.shift(x, batch, channels, spatial, w, got, Parallel.of(threads));
                FastArrays.assertIdentical(got, want, "shift");
            }
        }
    }

    /**
     * Folding gives y = fma(x, s, t) with s and t each rounded once to float: errors of
     * 2^-24 |x s|, 2^-24 |t| and the fma's 2^-24 |y|. The reference is not exact either: x - mean
     * is a float subtraction (2^-24 |(x - mean) s| once scaled) before its double arithmetic, and
     * it rounds the result (2^-24 |y|). Twice the sum of all five bounds the difference.
     */
    @ParameterizedTest
    @CsvSource({"1,3,7", "3,5,17", "1,64,49", "3,17,899", "2,4,1"})
    void batchNormMatchesTheReference(int batch, int channels, int spatial) {
        int n = batch * channels * spatial;
        float[] x = FastArrays.random(n, 9);
        float[] gamma = FastArrays.random(channels, 10), beta = FastArrays.random(channels, 11);
        float[] mean = FastArrays.random(channels, 12), var = FastArrays.random(channels, 13);
        for (int c = 0; c < channels; c++) var[c] = Math.abs(var[c]) + 0.01f;
        double eps = 1e-5;
        float[] want = new float[n];
        BatchNormReference.forward(x, batch, channels, spatial, gamma, beta, mean, var, eps, want);
        float[] first = null;
        for (int threads : new int[] {1, 2}) {
            float[] got = new float[n];
            FastChannelAffine.batchNorm(x, batch, channels, spatial, gamma, beta, mean, var, eps, got, Parallel.of(threads));
            for (int i = 0; i < n; i++) {
                int c = i / spatial % channels;
                double s = gamma[c] / Math.sqrt(var[c] + eps), t = beta[c] - mean[c] * s;
                double tol = 2 * EPS * (Math.abs(x[i] * s) + Math.abs(t) + 2 * Math.abs(want[i]) + Math.abs((x[i] - mean[c]) * s));
                if (Math.abs(got[i] - (double) want[i]) <= tol) continue;
                assertThat((double) got[i]).as("at %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol));
            }
            if (first == null) first = got;
            else FastArrays.assertIdentical(got, first, "2 threads vs 1");
        }
    }
}
