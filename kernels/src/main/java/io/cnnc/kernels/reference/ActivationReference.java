package io.cnnc.kernels.reference;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.Erf;

/** Elementwise activations, each written as its definition, in double. x and y may alias. */
public final class ActivationReference {

    private ActivationReference() {}

    public static void forward(ActivationKind kind, double alpha, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) y[i] = (float) apply(kind, alpha, x[i]);
    }

    public static double apply(ActivationKind kind, double alpha, double v) {
        return switch (kind) {
            case RELU -> v > 0 ? v : 0;
            case RELU6 -> Math.min(Math.max(v, 0), 6);
            case LEAKY_RELU -> v >= 0 ? v : alpha * v;
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
            case GELU -> 0.5 * v * (1 + Erf.erf(v / Math.sqrt(2)));
            case SILU -> v / (1 + Math.exp(-v));
            case HARDSWISH -> v * Math.min(Math.max(v + 3, 0), 6) / 6;
            case IDENTITY -> v;
        };
    }
}
