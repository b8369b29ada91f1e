package io.cnnc.kernels.cpu;

/**
 * Row-major single-precision matrix products in the three shapes convolution and dense layers
 * need, written as row-at-a-time loops over {@link VectorOps} (not yet the packed, register-
 * blocked GEMM of the optimizing compiler). Offsets let callers address one sample's slice.
 */
public final class Gemm {

    private Gemm() {}

    /** C[m x n] += A[m x k] * B[k x n]. */
    public static void nn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * k + p];
                if (av != 0) VectorOps.axpy(av, b, bOff + p * n, c, cOff + i * n, n);
            }
        }
    }

    /** C[m x n] += A[m x k] * B[n x k]^T. */
    public static void nt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) c[cOff + i * n + j] += VectorOps.dot(a, aOff + i * k, b, bOff + j * k, k);
        }
    }

    /** C[m x n] += A[k x m]^T * B[k x n]. */
    public static void tn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        for (int p = 0; p < k; p++) {
            for (int i = 0; i < m; i++) {
                float av = a[aOff + p * m + i];
                if (av != 0) VectorOps.axpy(av, b, bOff + p * n, c, cOff + i * n, n);
            }
        }
    }
}
