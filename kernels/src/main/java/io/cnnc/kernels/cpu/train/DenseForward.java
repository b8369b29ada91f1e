package io.cnnc.kernels.cpu.train;

import io.cnnc.kernels.cpu.Gemm;

/**
 * A dense layer's training forward, {@code y = x w^T + b}, on the GEMM its backward uses: the
 * inference kernel packs its weights once, which an update makes stale every step.
 */
public final class DenseForward {

    private DenseForward() {}

    public static void forward(float[] x, int batch, int in, int units, float[] w, float[] bias, float[] y) {
        Gemm.nt(batch, units, in, x, 0, w, 0, y, 0);
        if (bias == null) return;
        for (int i = 0; i < batch; i++) for (int u = 0; u < units; u++) y[i * units + u] += bias[u];
    }
}
