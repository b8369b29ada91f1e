package io.cnnc.kernels.reference;

/**
 * Elementwise product; with {@code bPerChannel}, b is [N, C, 1, 1] and broadcasts over H and W,
 * which is how squeeze-and-excitation rescales a feature map by its per-sample channel gates.
 */
public final class MulReference {

    private MulReference() {}

    public static void forward(float[] a, float[] b, int batch, int channels, int spatial, boolean bPerChannel, float[] y) {
        for (int nc = 0; nc < batch * channels; nc++) {
            for (int i = 0; i < spatial; i++) {
                int at = nc * spatial + i;
                y[at] = a[at] * (bPerChannel ? b[nc] : b[at]);
            }
        }
    }
}
