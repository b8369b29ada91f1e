package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-major single-precision matrix products in the three shapes convolution and dense layers
 * need. The bulk is done by a register-blocked microkernel (4 rows x 2 vectors of C kept in
 * registers across the whole k loop, no horizontal reductions, so results do not depend on
 * JIT state); edges fall back
 * to row loops over {@link VectorOps}. Nothing is packed: it serves training and the backward
 * kernels ({@link Im2colConv}, dense backward), while the optimizing compiler's kernels use the
 * packed, cache-blocked {@link io.cnnc.kernels.cpu.gemm.PackedGemm}. Offsets let callers address
 * one sample's slice.
 */
public final class Gemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Gemm() {}

    /** {@code n} rounded up to whole tiles of the microkernel (2 vectors): B and C padded to it run no row loops. */
    private static int paddedColumns(int n) {
        return (n + 2 * L - 1) / (2 * L) * (2 * L);
    }

    /** C[m x n] += A[m x k] * B[k x n]. */
    public static void nn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        block(m, n, k, a, aOff, k, 1, b, bOff, c, cOff);
    }

    /** C[m x n] += A[k x m]^T * B[k x n]. */
    public static void tn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        block(m, n, k, a, aOff, 1, m, b, bOff, c, cOff);
    }

    /** C += A B with A(i, p) = a[aOff + i*ars + p*acs]. */
    private static void block(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, float[] c, int cOff) {
        int m4 = m - m % 4;
        int n2 = n - n % (2 * L);
        for (int i = 0; i < m4; i += 4) {
            for (int j = 0; j < n2; j += 2 * L) kernel4x2(k, a, aOff + i * ars, ars, acs, b, bOff + j, n, c, cOff + i * n + j, n);
        }
        // Right edge (columns past the last full tile) and bottom edge (rows past the last 4).
        for (int i = 0; i < m; i++) {
            int from = i < m4 ? n2 : 0;
            if (from == n) continue;
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * ars + p * acs];
                if (av != 0) VectorOps.axpy(av, b, bOff + p * n + from, c, cOff + i * n + from, n - from);
            }
        }
    }

    private static void kernel4x2(int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.fromArray(S, c, cOff);
        FloatVector c01 = FloatVector.fromArray(S, c, cOff + L);
        FloatVector c10 = FloatVector.fromArray(S, c, cOff + ldc);
        FloatVector c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
        FloatVector c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
        FloatVector c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
        for (int p = 0; p < k; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bOff + p * ldb);
            FloatVector b1 = FloatVector.fromArray(S, b, bOff + p * ldb + L);
            int ap = aOff + p * acs;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * ars]);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
    }

    /**
     * C[m x n] += A[m x k] * B[n x k]^T, as A times B transposed into a scratch buffer: the
     * transpose costs n*k moves, and the product then runs in the reduction-free microkernel.
     * The scratch rows are padded to whole tiles of 2 vectors, and C is widened the same way
     * around the product, so no column falls to the row loops (a weight gradient's 3x3x16 = 144
     * columns left 16 of them there, a third of its time).
     */
    public static void nt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        int np = paddedColumns(n);
        float[] bt = scratch(SCRATCH, k * np);
        for (int j0 = 0; j0 < n; j0 += 32) {
            for (int p0 = 0; p0 < k; p0 += 32) {
                for (int j = j0; j < Math.min(n, j0 + 32); j++) {
                    for (int p = p0; p < Math.min(k, p0 + 32); p++) bt[p * np + j] = b[bOff + j * k + p];
                }
            }
        }
        if (np == n) {
            nn(m, n, k, a, aOff, bt, 0, c, cOff);
            return;
        }
        for (int p = 0; p < k; p++) java.util.Arrays.fill(bt, p * np + n, (p + 1) * np, 0f);
        float[] wide = scratch(WIDE, m * np);
        for (int i = 0; i < m; i++) {
            System.arraycopy(c, cOff + i * n, wide, i * np, n);
            java.util.Arrays.fill(wide, i * np + n, (i + 1) * np, 0f);
        }
        block(m, np, k, a, aOff, k, 1, bt, 0, wide, 0);
        for (int i = 0; i < m; i++) System.arraycopy(wide, i * np, c, cOff + i * n, n);
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] scratch(ThreadLocal<float[]> holder, int size) {
        float[] s = holder.get();
        if (s.length < size) {
            s = new float[size];
            holder.set(s);
        }
        return s;
    }
}
