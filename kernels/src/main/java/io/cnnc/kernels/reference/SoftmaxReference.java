package io.cnnc.kernels.reference;

/** Softmax over channels at each position; the maximum is subtracted first so exp cannot overflow. */
public final class SoftmaxReference {

    private SoftmaxReference() {}

    public static void channels(float[] x, int batch, int channels, int spatial, float[] y) {
        for (int n = 0; n < batch; n++) {
            int base = n * channels * spatial;
            for (int i = 0; i < spatial; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < channels; c++) max = Math.max(max, x[base + c * spatial + i]);
                double sum = 0;
                for (int c = 0; c < channels; c++) sum += Math.exp(x[base + c * spatial + i] - max);
                for (int c = 0; c < channels; c++) {
                    int at = base + c * spatial + i;
                    y[at] = (float) (Math.exp(x[at] - max) / sum);
                }
            }
        }
    }
}
