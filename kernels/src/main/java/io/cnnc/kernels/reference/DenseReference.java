package io.cnnc.kernels.reference;

/**
 * y = x W^T + b, PyTorch's Linear; each sample is its C*H*W values flattened in NCHW order.
 * Accumulated in double so the result hardly depends on summation order.
 */
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
