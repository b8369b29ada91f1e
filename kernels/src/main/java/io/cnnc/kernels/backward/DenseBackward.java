package io.cnnc.kernels.backward;

import io.cnnc.kernels.cpu.Gemm;

/** y = x W^T + b: dx = dy W, dW += dy^T x, db += sum over the batch of dy. */
public final class DenseBackward {

    private DenseBackward() {}

    public static void backward(float[] x, float[] dy, int batch, int in, int units, float[] w, float[] dx, float[] dw, float[] db) {
        if (dx != null) {
            java.util.Arrays.fill(dx, 0f);
            Gemm.nn(batch, in, units, dy, 0, w, 0, dx, 0);
        }
        if (dw != null) Gemm.tn(units, in, batch, dy, 0, x, 0, dw, 0);
        if (db != null) {
            for (int n = 0; n < batch; n++) for (int u = 0; u < units; u++) db[u] += dy[n * units + u];
        }
    }
}
