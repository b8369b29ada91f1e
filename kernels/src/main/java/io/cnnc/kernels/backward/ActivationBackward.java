package io.cnnc.kernels.backward;

import io.cnnc.kernels.ActivationKind;

/** dx = dy * f'(x) for each elementwise activation (derivatives as PyTorch defines them at kinks). */
public final class ActivationBackward {

    private ActivationBackward() {}

    public static void backward(ActivationKind kind, double alpha, float[] x, float[] dy, float[] dx) {
        for (int i = 0; i < x.length; i++) dx[i] = (float) (dy[i] * derivative(kind, alpha, x[i]));
    }

    public static double derivative(ActivationKind kind, double alpha, double v) {
        return kind.definition().derivative(v, alpha);
    }
}
