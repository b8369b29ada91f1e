package io.cnnc.kernels.reference;

import io.cnnc.kernels.ActivationKind;

/**
 * Elementwise activations, each written as its definition (ActivationKind's Activation.apply)
 * and evaluated in double, then rounded once to float. x and y may be the same array: each
 * element is read before it is written. NaN propagates through every kind, as in PyTorch.
 */
public final class ActivationReference {

    private ActivationReference() {}

    /** alpha is LEAKY_RELU's negative slope and ignored by every other kind. */
    public static void forward(ActivationKind kind, double alpha, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) y[i] = (float) apply(kind, alpha, x[i]);
    }

    public static double apply(ActivationKind kind, double alpha, double v) {
        return kind.definition().apply(v, alpha);
    }
}
