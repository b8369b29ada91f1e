package io.cnnc.kernels.cpu;

/**
 * What generated model code implements: a network compiled for one batch size, buffers
 * preallocated. Generated classes also have a constructor {@code (Map<String, float[]> weights,
 * Parallel parallel)} taking the already folded weights.
 */
public interface CompiledNetwork {

    /** The batch size the buffers were sized for. */
    int batch();

    /**
     * {@code inputs[i]} holds {@code batch * C * H * W} floats of input i in NCHW order; returns
     * fresh arrays, one per network output. Not safe to call from two threads at once.
     */
    float[][] forward(float[][] inputs);
}
