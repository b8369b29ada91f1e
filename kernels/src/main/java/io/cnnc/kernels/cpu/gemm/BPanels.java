package io.cnnc.kernels.cpu.gemm;

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
     * Writes rows {@code [p0, p0+kc)} x columns {@code [j0, j0+nc)} of B into {@code dst} from 0:
     * panel q holds columns j0+q*NR.. at {@code dst[q*kc*NR + p*NR + jj]}.
     */
    void pack(int p0, int kc, int j0, int nc, float[] dst);

    /** B stored row-major at {@code b[off + p*ldb + j]}. */
    static BPanels dense(float[] b, int off, int k, int n, int ldb) {
        return new BPanels() {
            public int k() {
                return k;
            }

            public int n() {
                return n;
            }

            public void pack(int p0, int kc, int j0, int nc, float[] dst) {
                int nr = PackedGemm.NR;
                for (int q = 0; q * nr < nc; q++) {
                    int cols = Math.min(nr, nc - q * nr);
                    int base = q * kc * nr;
                    for (int p = 0; p < kc; p++) {
                        int d = base + p * nr;
                        System.arraycopy(b, off + (p0 + p) * ldb + j0 + q * nr, dst, d, cols);
                        if (cols < nr) java.util.Arrays.fill(dst, d + cols, d + nr, 0f);
                    }
                }
            }
        };
    }
}
