package io.cnnc.kernels.reference;

/** Layer normalisation over the channels at each position (biased variance), as ConvNeXt's LayerNorm2d. */
public final class LayerNormReference {

    private LayerNormReference() {}

    public static void forward(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta, double eps, float[] y) {
        for (int n = 0; n < batch; n++) {
            int base = n * channels * spatial;
            for (int i = 0; i < spatial; i++) {
                double mean = 0;
                for (int c = 0; c < channels; c++) mean += x[base + c * spatial + i];
                mean /= channels;
                double var = 0;
                for (int c = 0; c < channels; c++) {
                    double d = x[base + c * spatial + i] - mean;
                    var += d * d;
                }
                var /= channels;
                double inv = 1 / Math.sqrt(var + eps);
                for (int c = 0; c < channels; c++) {
                    int at = base + c * spatial + i;
                    y[at] = (float) ((x[at] - mean) * inv * gamma[c] + beta[c]);
                }
            }
        }
    }
}
