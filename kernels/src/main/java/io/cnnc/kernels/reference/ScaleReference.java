package io.cnnc.kernels.reference;

/** Per-channel multiply by a learned weight (ConvNeXt's layer scale). A float product is already correctly rounded. */
public final class ScaleReference {

    private ScaleReference() {}

    public static void forward(float[] x, int batch, int channels, int spatial, float[] weight, float[] y) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) y[base + i] = x[base + i] * weight[c];
            }
        }
    }
}
