package io.cnnc.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares a device result with a reference: the largest error relative to the largest
 * reference magnitude (so one tolerance serves layers with large and small outputs). NaN in
 * the result counts as an infinite error.
 */
final class Closeness {

    private Closeness() {}

    static double relativeError(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double err = 0, scale = 0;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs((double) got[i] - want[i]);
            err = Math.max(err, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
            scale = Math.max(scale, Math.abs(want[i]));
        }
        return err / Math.max(scale, 1e-30);
    }

    static void assertClose(String what, float[] got, float[] want, double tolerance) {
        assertThat(relativeError(got, want)).as("%s: max |device - reference| / max |reference|", what).isLessThanOrEqualTo(tolerance);
    }

    /**
     * As {@link #assertClose(String, float[], float[], double)}, but the scale is at least
     * {@code floor}: for tensors that are zero up to rounding (a bias followed by training-mode
     * BatchNorm has a gradient of exactly 0 in exact arithmetic), where a relative error
     * compares noise with noise.
     */
    static void assertClose(String what, float[] got, float[] want, double tolerance, double floor) {
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        double err = relativeError(got, want) * Math.max(scale, 1e-30);
        assertThat(err).as("%s: max |device - reference| (largest |reference| %.3g)", what, scale).isLessThanOrEqualTo(tolerance * Math.max(scale, floor));
    }
}
