package io.cnnc.kernels.reference;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.Erf;

/**
 * Elementwise activations, each written as its definition and evaluated in double, then rounded
 * once to float. x and y may be the same array: each element is read before it is written.
 * NaN propagates through every kind, as in PyTorch (Math.max/min propagate NaN; a comparison
 * such as {@code v > 0 ? v : 0} would silently turn it into 0).
 */
public final class ActivationReference {

    private static final double SQRT_HALF = Math.sqrt(0.5);

    private ActivationReference() {}

    /** alpha is LEAKY_RELU's negative slope and ignored by every other kind. */
    public static void forward(ActivationKind kind, double alpha, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) y[i] = (float) apply(kind, alpha, x[i]);
    }

    public static double apply(ActivationKind kind, double alpha, double v) {
        return switch (kind) {
            case RELU -> Math.max(v, 0);
            case RELU6 -> Math.min(Math.max(v, 0), 6);
            case LEAKY_RELU -> v >= 0 ? v : alpha * v;
            // exp(-v) overflows to infinity for v < -709, giving exactly 0: the right limit.
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
            // PyTorch's default GELU is the exact erf form, not the tanh approximation.
            case GELU -> 0.5 * v * (1 + Erf.erf(v * SQRT_HALF));
            case SILU -> v / (1 + Math.exp(-v));
            case HARDSWISH -> v * Math.min(Math.max(v + 3, 0), 6) / 6;
            case HARDSIGMOID -> Math.min(Math.max(v + 3, 0), 6) / 6;
            case IDENTITY -> v;
        };
    }
}
