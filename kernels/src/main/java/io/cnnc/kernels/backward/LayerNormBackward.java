package io.cnnc.kernels.backward;

/** Layer norm over channels at each position: the batch-norm formula with the roles of axes swapped. */
public final class LayerNormBackward {

    private LayerNormBackward() {}

    public static void backward(float[] x, float[] dy, int batch, int channels, int spatial, float[] gamma, double eps,
                                float[] dx, float[] dgamma, float[] dbeta) {
        double[] xhat = new double[channels];
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
                double invStd = 1 / Math.sqrt(var / channels + eps);
                double sumG = 0;
                double sumGX = 0;
                for (int c = 0; c < channels; c++) {
                    int at = base + c * spatial + i;
                    xhat[c] = (x[at] - mean) * invStd;
                    double g = dy[at] * gamma[c];
                    sumG += g;
                    sumGX += g * xhat[c];
                    dgamma[c] += (float) (dy[at] * xhat[c]);
                    dbeta[c] += dy[at];
                }
                if (dx == null) continue;
                for (int c = 0; c < channels; c++) {
                    int at = base + c * spatial + i;
                    dx[at] = (float) (invStd / channels * (channels * dy[at] * gamma[c] - sumG - xhat[c] * sumGX));
                }
            }
        }
    }
}
