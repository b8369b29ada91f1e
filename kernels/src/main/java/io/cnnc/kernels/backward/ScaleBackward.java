package io.cnnc.kernels.backward;

/** y = x * w[c]: dx = dy * w[c], dw[c] += sum dy * x. */
public final class ScaleBackward {

    private ScaleBackward() {}

    public static void backward(float[] x, float[] dy, int batch, int channels, int spatial, float[] w, float[] dx, float[] dw) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int base = (n * channels + c) * spatial;
                double s = 0;
                for (int i = 0; i < spatial; i++) {
                    s += dy[base + i] * x[base + i];
                    if (dx != null) dx[base + i] = dy[base + i] * w[c];
                }
                dw[c] += (float) s;
            }
        }
    }
}
