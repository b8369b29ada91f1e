package io.cnnc.kernels.cpu;

/**
 * What generated model code implements: a network compiled for one batch size, buffers
 * preallocated. Generated classes also have a constructor {@code (Map<String, float[]> weights,
 * Parallel parallel)} taking the already folded weights.
 */
public interface CompiledNetwork {

    /** The batch size the buffers were sized for. */
    int batch();

    /** Floats of each output array for this batch: {@code batch * C * H * W} of output i. */
    int[] outputLengths();

    /**
     * {@code inputs[i]} holds {@code batch * C * H * W} floats of input i in NCHW order; output i
     * is written into {@code outputs[i]}, which must hold exactly {@code outputLengths()[i]}
     * floats. The last layers write there directly: nothing is allocated or copied, which
     * matters for networks with large outputs (a 144x56x56 layer's clone cost a third of its
     * time). Not safe to call from two threads at once.
     */
    void forward(float[][] inputs, float[][] outputs);

    /** As {@link #forward(float[][], float[][])}, into fresh arrays it returns. */
    default float[][] forward(float[][] inputs) {
        int[] n = outputLengths();
        float[][] out = new float[n.length][];
        for (int i = 0; i < n.length; i++) out[i] = new float[n[i]];
        forward(inputs, out);
        return out;
    }
}
