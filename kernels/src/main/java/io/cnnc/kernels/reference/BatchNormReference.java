package io.cnnc.kernels.reference;

/**
 * Batch normalisation at inference: the running statistics stand in for the batch's, so samples
 * do not affect each other. (x - mean) / sqrt(var + eps) * gamma + beta, in double.
 */
public final class BatchNormReference {

    private BatchNormReference() {}

    public static void forward(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta,
                               float[] runningMean, float[] runningVar, double eps, float[] y) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                double scale = gamma[c] / Math.sqrt(runningVar[c] + eps);
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) y[base + i] = (float) ((x[base + i] - runningMean[c]) * scale + beta[c]);
            }
        }
    }
}
