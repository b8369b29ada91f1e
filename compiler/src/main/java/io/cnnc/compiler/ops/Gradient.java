package io.cnnc.compiler.ops;

import io.cnnc.kernels.cpu.train.ConvRunner;
import java.util.function.Function;

/**
 * The backward pass of one node: the loss's gradient {@code dy} with respect to its output, the
 * input gradients to fill ({@code null} where an input needs none: a network input), the
 * parameter gradients by suffix ({@code null} for a frozen layer), what its forward saved, how
 * the node's convolutions run, and, where the node absorbed the ReLU after it, that ReLU's output
 * ({@code reluOutput}; {@code dy} is then the gradient of the ReLU's output, to be masked where
 * it lies strictly between 0 and {@code reluCeiling}).
 */
public record Gradient(float[] dy, float[][] dxs, Function<String, float[]> paramGradients, float[][] saved, ConvRunner conv, float[] reluOutput,
                       float reluCeiling) {

    /** The first input's gradient, or null. */
    public float[] dx() {
        return dxs[0];
    }

    public float[] dx(int i) {
        return dxs[i];
    }

    /** A parameter's gradient, or null when the layer is frozen. */
    public float[] grad(String suffix) {
        return paramGradients.apply(suffix);
    }

    /** Kernels that always write a gradient get a scratch array where none is wanted. */
    public static float[] orScratch(float[] a, int length) {
        return a != null ? a : new float[length];
    }
}
