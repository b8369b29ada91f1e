package io.cnnc.kernels.cpu.gemm;

import jdk.incubator.vector.FloatVector;

/**
 * The right-hand matrix B [k x n] of a packed product, delivered in the layout the microkernel
 * reads: panels of {@link PackedGemm#NR} columns, each {@code kc} rows of NR contiguous floats,
 * columns past n zero. A conv supplies B straight from its input (implicit im2col), so the
 * column matrix is never materialized.
 */
public interface BPanels {

    int k();

    int n();

    /**
     * Writes rows {@code [p0, p0+kc)} x columns {@code [j0, j0+nc)} of B into {@code dst} from
     * {@code dstOff} (a cache line, see {@link io.cnnc.kernels.cpu.AlignedFloats}): panel q holds
     * columns j0+q*NR.. at {@code dst[dstOff + q*kc*NR + p*NR + jj]}.
     */
    void pack(int p0, int kc, int j0, int nc, float[] dst, int dstOff);

    /** B stored row-major at {@code b[off + p*ldb + j]}. */
    static BPanels dense(float[] b, int off, int k, int n, int ldb) {
        return new BPanels() {
            public int k() {
                return k;
            }

            public int n() {
                return n;
            }

            public void pack(int p0, int kc, int j0, int nc, float[] dst, int dstOff) {
                // Row by row, so B is read sequentially; a full panel row is two vector moves.
                // Panel by panel with System.arraycopy per 16 floats, 1x1 256->64 @56 spent a
                // quarter of its time here.
                var s = FloatVector.SPECIES_PREFERRED;
                int nr = PackedGemm.NR, half = nr / 2, full = nc / nr, rest = nc - full * nr;
                for (int p = 0; p < kc; p++) {
                    int src = off + (p0 + p) * ldb + j0;
                    for (int q = 0; q < full; q++) {
                        int d = dstOff + q * kc * nr + p * nr;
                        FloatVector.fromArray(s, b, src + q * nr).intoArray(dst, d);
                        FloatVector.fromArray(s, b, src + q * nr + half).intoArray(dst, d + half);
                    }
                    if (rest > 0) {
                        int d = dstOff + full * kc * nr + p * nr;
                        System.arraycopy(b, src + full * nr, dst, d, rest);
                        java.util.Arrays.fill(dst, d + rest, d + nr, 0f);
                    }
                }
            }
        };
    }
}
