package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.backward.ActivationBackward;
import io.cnnc.kernels.reference.ActivationReference;

/**
 * Activations for the training path: ReLU, the one every residual network applies after each
 * conv, gets branch-light loops the JIT vectorizes; the others use the reference formulas.
 */
public final class Activations {

    private Activations() {}

    public static void forward(ActivationKind kind, double alpha, float[] x, float[] y) {
        if (kind == ActivationKind.RELU) {
            for (int i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0f);
        } else {
            ActivationReference.forward(kind, alpha, x, y);
        }
    }

    public static void backward(ActivationKind kind, double alpha, float[] x, float[] dy, float[] dx) {
        if (kind == ActivationKind.RELU) {
            for (int i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
        } else {
            ActivationBackward.backward(kind, alpha, x, dy, dx);
        }
    }
}
