package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[m x n] = sum over calls of A[m x k] * B[n x k]^T, where both operands run along k in
 * memory (a weight gradient: dy's rows against the input's im2col rows, over the pixels).
 * Each C element is kept as a vector of lane-partial sums (lane l sums the products at
 * p = l mod L) in {@code acc}, so nothing is transposed and no lanes are added until
 * {@link #reduce}, once for a whole batch; register blocks of 4 x 4 (4 x 2 with 16 vector
 * registers) load 8 (6) vectors for 16 (8) fused multiply-adds. Lanes are added in index order,
 * so the result does not depend on the JIT.
 */
public final class LanePartialProducts {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int NB = VectorRegisters.wide() ? 4 : 2;

    private LanePartialProducts() {}

    /** The accumulator size for an m x n result. */
    public static int size(int m, int n) {
        return m * n * L;
    }

    /** acc (from accOff) += lane-partial products of A (rows at aOff, stride k) and B (rows at bOff, stride k). */
    public static void accumulate(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] acc, int accOff) {
        accumulate(m, n, k, a, aOff, k, b, bOff, k, acc, accOff);
    }

    /** The same with A's rows {@code lda} and B's rows {@code ldb} apart. */
    public static void accumulate(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] acc, int accOff) {
        int[] bRows = new int[n];
        for (int j = 0; j < n; j++) bRows[j] = bOff + j * ldb;
        accumulate(m, n, k, a, aOff, lda, b, bRows, acc, accOff);
    }

    /** The same with B's row j starting at {@code bRows[j]}: rows may overlap (shifted views of one image). */
    public static void accumulate(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int[] bRows, float[] acc, int accOff) {
        int kv = S.loopBound(k);
        int m4 = m - m % 4;
        int nb = n - n % NB;
        for (int j = 0; j < nb; j += NB) {
            for (int i = 0; i < m4; i += 4) {
                if (NB == 4) {
                    block4x4(n, lda, kv, a, aOff + i * lda, b, bRows[j], bRows[j + 1], bRows[j + 2], bRows[j + 3], acc, accOff + (i * n + j) * L);
                } else {
                    block4x2(n, lda, kv, a, aOff + i * lda, b, bRows[j], bRows[j + 1], acc, accOff + (i * n + j) * L);
                }
            }
        }
        // Edges: rows past the last 4, columns past the last block, then every element's tail past the last whole vector.
        for (int i = 0; i < m; i++) {
            for (int j = i < m4 ? nb : 0; j < n; j++) single(kv, a, aOff + i * lda, b, bRows[j], acc, accOff + (i * n + j) * L);
        }
        if (kv < k) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0;
                    for (int p = kv; p < k; p++) s += a[aOff + i * lda + p] * b[bRows[j] + p];
                    acc[accOff + (i * n + j) * L] += s;
                }
            }
        }
    }

    /** c[cOff + i*n + j] += the lanes of element (i, j) (acc from accOff), added in index order. */
    public static void reduce(int m, int n, float[] acc, int accOff, float[] c, int cOff) {
        for (int e = 0; e < m * n; e++) {
            float s = 0;
            for (int l = 0; l < L; l++) s += acc[accOff + e * L + l];
            c[cOff + e] += s;
        }
    }

    private static void single(int kv, float[] a, int ai, float[] b, int bj, float[] acc, int at) {
        FloatVector s = FloatVector.fromArray(S, acc, at);
        for (int p = 0; p < kv; p += L) s = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bj + p), s);
        s.intoArray(acc, at);
    }

    private static void block4x4(int n, int lda, int kv, float[] a, int ai, float[] b, int bj0, int bj1, int bj2, int bj3, float[] acc, int at) {
        int row = n * L;
        FloatVector c00 = FloatVector.fromArray(S, acc, at), c01 = FloatVector.fromArray(S, acc, at + L);
        FloatVector c02 = FloatVector.fromArray(S, acc, at + 2 * L), c03 = FloatVector.fromArray(S, acc, at + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, acc, at + row), c11 = FloatVector.fromArray(S, acc, at + row + L);
        FloatVector c12 = FloatVector.fromArray(S, acc, at + row + 2 * L), c13 = FloatVector.fromArray(S, acc, at + row + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, acc, at + 2 * row), c21 = FloatVector.fromArray(S, acc, at + 2 * row + L);
        FloatVector c22 = FloatVector.fromArray(S, acc, at + 2 * row + 2 * L), c23 = FloatVector.fromArray(S, acc, at + 2 * row + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, acc, at + 3 * row), c31 = FloatVector.fromArray(S, acc, at + 3 * row + L);
        FloatVector c32 = FloatVector.fromArray(S, acc, at + 3 * row + 2 * L), c33 = FloatVector.fromArray(S, acc, at + 3 * row + 3 * L);
        for (int p = 0; p < kv; p += L) {
            FloatVector b0 = FloatVector.fromArray(S, b, bj0 + p);
            FloatVector b1 = FloatVector.fromArray(S, b, bj1 + p);
            FloatVector b2 = FloatVector.fromArray(S, b, bj2 + p);
            FloatVector b3 = FloatVector.fromArray(S, b, bj3 + p);
            FloatVector a0 = FloatVector.fromArray(S, a, ai + p);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.fromArray(S, a, ai + lda + p);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.fromArray(S, a, ai + 2 * lda + p);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.fromArray(S, a, ai + 3 * lda + p);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
        }
        c00.intoArray(acc, at);
        c01.intoArray(acc, at + L);
        c02.intoArray(acc, at + 2 * L);
        c03.intoArray(acc, at + 3 * L);
        c10.intoArray(acc, at + row);
        c11.intoArray(acc, at + row + L);
        c12.intoArray(acc, at + row + 2 * L);
        c13.intoArray(acc, at + row + 3 * L);
        c20.intoArray(acc, at + 2 * row);
        c21.intoArray(acc, at + 2 * row + L);
        c22.intoArray(acc, at + 2 * row + 2 * L);
        c23.intoArray(acc, at + 2 * row + 3 * L);
        c30.intoArray(acc, at + 3 * row);
        c31.intoArray(acc, at + 3 * row + L);
        c32.intoArray(acc, at + 3 * row + 2 * L);
        c33.intoArray(acc, at + 3 * row + 3 * L);
    }

    private static void block4x2(int n, int lda, int kv, float[] a, int ai, float[] b, int bj0, int bj1, float[] acc, int at) {
        int row = n * L;
        FloatVector c00 = FloatVector.fromArray(S, acc, at), c01 = FloatVector.fromArray(S, acc, at + L);
        FloatVector c10 = FloatVector.fromArray(S, acc, at + row), c11 = FloatVector.fromArray(S, acc, at + row + L);
        FloatVector c20 = FloatVector.fromArray(S, acc, at + 2 * row), c21 = FloatVector.fromArray(S, acc, at + 2 * row + L);
        FloatVector c30 = FloatVector.fromArray(S, acc, at + 3 * row), c31 = FloatVector.fromArray(S, acc, at + 3 * row + L);
        for (int p = 0; p < kv; p += L) {
            FloatVector b0 = FloatVector.fromArray(S, b, bj0 + p);
            FloatVector b1 = FloatVector.fromArray(S, b, bj1 + p);
            FloatVector a0 = FloatVector.fromArray(S, a, ai + p);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.fromArray(S, a, ai + lda + p);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.fromArray(S, a, ai + 2 * lda + p);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.fromArray(S, a, ai + 3 * lda + p);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(acc, at);
        c01.intoArray(acc, at + L);
        c10.intoArray(acc, at + row);
        c11.intoArray(acc, at + row + L);
        c20.intoArray(acc, at + 2 * row);
        c21.intoArray(acc, at + 2 * row + L);
        c30.intoArray(acc, at + 3 * row);
        c31.intoArray(acc, at + 3 * row + L);
    }
}
