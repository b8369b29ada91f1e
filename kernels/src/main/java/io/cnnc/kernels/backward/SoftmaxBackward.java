package io.cnnc.kernels.backward;

/** Softmax over channels: dx = y * (dy - sum_c dy*y) at each position. */
public final class SoftmaxBackward {

    private SoftmaxBackward() {}

    public static void backward(float[] y, float[] dy, int batch, int channels, int spatial, float[] dx) {
        for (int n = 0; n < batch; n++) {
            int base = n * channels * spatial;
            for (int i = 0; i < spatial; i++) {
                double dot = 0;
                for (int c = 0; c < channels; c++) dot += dy[base + c * spatial + i] * y[base + c * spatial + i];
                for (int c = 0; c < channels; c++) {
                    int at = base + c * spatial + i;
                    dx[at] = (float) (y[at] * (dy[at] - dot));
                }
            }
        }
    }
}
