package io.cnnc.kernels.reference;

/** y = x W^T + b over flattened samples, accumulated in double. */
public final class DenseReference {

    private DenseReference() {}

    public static void forward(float[] x, int batch, int inFeatures, int units, float[] weight, float[] bias, float[] y) {
        for (int n = 0; n < batch; n++) {
            for (int u = 0; u < units; u++) {
                double sum = bias == null ? 0 : bias[u];
                for (int i = 0; i < inFeatures; i++) sum += (double) x[n * inFeatures + i] * weight[u * inFeatures + i];
                y[n * units + u] = (float) sum;
            }
        }
    }
}
