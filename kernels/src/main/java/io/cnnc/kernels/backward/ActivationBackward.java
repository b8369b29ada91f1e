package io.cnnc.kernels.backward;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.Erf;

/** dx = dy * f'(x) for each elementwise activation (derivatives as PyTorch defines them at kinks). */
public final class ActivationBackward {

    private ActivationBackward() {}

    public static void backward(ActivationKind kind, double alpha, float[] x, float[] dy, float[] dx) {
        for (int i = 0; i < x.length; i++) dx[i] = (float) (dy[i] * derivative(kind, alpha, x[i]));
    }

    public static double derivative(ActivationKind kind, double alpha, double v) {
        return switch (kind) {
            case RELU -> v > 0 ? 1 : 0;
            case RELU6 -> v > 0 && v < 6 ? 1 : 0;
            case LEAKY_RELU -> v > 0 ? 1 : alpha;
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-v));
                yield s * (1 - s);
            }
            case TANH -> {
                double t = Math.tanh(v);
                yield 1 - t * t;
            }
            case GELU -> 0.5 * (1 + Erf.erf(v / Math.sqrt(2))) + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
            case SILU -> {
                double s = 1 / (1 + Math.exp(-v));
                yield s * (1 + v * (1 - s));
            }
            case HARDSWISH -> v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6;
            case HARDSIGMOID -> v > -3 && v < 3 ? 1.0 / 6 : 0;
            case IDENTITY -> 1;
        };
    }
}
