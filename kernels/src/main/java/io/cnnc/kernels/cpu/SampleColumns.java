package io.cnnc.kernels.cpu;

import io.cnnc.kernels.cpu.gemm.BPanels;
import io.cnnc.kernels.cpu.gemm.PackedGemm;

/**
 * A batch of samples x[batch][features] seen as the GEMM operand B = x^T [features x batch]:
 * one column per sample, so a dense layer is W (packed once) times B. Packing reads each sample
 * contiguously along k.
 */
final class SampleColumns implements BPanels {

    private final float[] x;
    private final int features;
    private final int batch;

    SampleColumns(float[] x, int features, int batch) {
        this.x = x;
        this.features = features;
        this.batch = batch;
    }

    public int k() {
        return features;
    }

    public int n() {
        return batch;
    }

    public void pack(int p0, int kc, int j0, int nc, float[] dst, int dstOff) {
        int nr = PackedGemm.NR;
        for (int q = 0; q * nr < nc; q++) {
            int base = dstOff + q * kc * nr;
            int cols = Math.min(nr, nc - q * nr);
            for (int jj = 0; jj < nr; jj++) {
                if (jj < cols) {
                    int src = (j0 + q * nr + jj) * features + p0;
                    for (int p = 0; p < kc; p++) dst[base + p * nr + jj] = x[src + p];
                } else {
                    for (int p = 0; p < kc; p++) dst[base + p * nr + jj] = 0f;
                }
            }
        }
    }
}
