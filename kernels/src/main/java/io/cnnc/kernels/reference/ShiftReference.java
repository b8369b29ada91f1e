package io.cnnc.kernels.reference;

/** y = x + b[c]: a per-channel addend broadcast over the positions. */
public final class ShiftReference {

    private ShiftReference() {}

    public static void forward(float[] x, int batch, int channels, int spatial, float[] b, float[] y) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) y[base + i] = x[base + i] + b[c];
            }
        }
    }

    /** dx = dy; db[c] += sum of dy over the batch and positions. */
    public static void backward(float[] dy, int batch, int channels, int spatial, float[] dx, float[] db) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int base = (n * channels + c) * spatial;
                double s = 0;
                for (int i = 0; i < spatial; i++) {
                    s += dy[base + i];
                    if (dx != null) dx[base + i] = dy[base + i];
                }
                if (db != null) db[c] += (float) s;
            }
        }
    }
}
