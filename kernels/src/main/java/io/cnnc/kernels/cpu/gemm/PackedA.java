package io.cnnc.kernels.cpu.gemm;

/**
 * The left-hand matrix A [m x k] packed once (conv and dense weights): panels of
 * {@link PackedGemm#MR} rows, each k columns of MR contiguous floats, rows past m zero, from
 * {@code data[offset]}.
 */
public record PackedA(float[] data, int offset, int m, int k) {

    public PackedA(float[] data, int m, int k) {
        this(data, 0, m, k);
    }

    /** Packs A stored row-major at {@code a[off + i*lda + p]}. */
    public static PackedA of(float[] a, int off, int m, int k, int lda) {
        int mr = PackedGemm.MR;
        int panels = (m + mr - 1) / mr;
        float[] data = new float[panels * k * mr];
        for (int i = 0; i < m; i++) {
            int base = (i / mr) * k * mr + i % mr;
            for (int p = 0; p < k; p++) data[base + p * mr] = a[off + i * lda + p];
        }
        return new PackedA(data, m, k);
    }

    int panelOffset(int row) {
        return offset + row / PackedGemm.MR * k * PackedGemm.MR;
    }
}
