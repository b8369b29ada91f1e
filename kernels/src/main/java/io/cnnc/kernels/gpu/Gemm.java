package io.cnnc.kernels.gpu;

import java.util.List;

/**
 * Builds a launch of gemm.cl's strided, batched product {@code C = act(beta C + A B + bias)}:
 * each operand is a buffer, an offset and row, column and batch strides, so transposes and
 * batches need no copies.
 */
public final class Gemm {

    /** Half the 64 x 64 output tile of a work-group: a dimension below it leaves a tile mostly padding. */
    public static final int HALF_TILE = 32;

    private final int m, n, k, batches;
    private int[] a, b, c;
    private int bias = Arg.NO_BUFFER, biasRs, biasCs;
    private float beta;
    private int act;
    private float alpha;

    private Gemm(int m, int n, int k, int batches) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.batches = batches;
    }

    /** An {@code m x k} times {@code k x n} product, {@code batches} times. */
    public static Gemm of(int m, int n, int k, int batches) {
        return new Gemm(m, n, k, batches);
    }

    public Gemm a(int buffer, int offset, int rowStride, int colStride, int batchStride) {
        a = new int[] {buffer, offset, rowStride, colStride, batchStride};
        return this;
    }

    public Gemm b(int buffer, int offset, int rowStride, int colStride, int batchStride) {
        b = new int[] {buffer, offset, rowStride, colStride, batchStride};
        return this;
    }

    public Gemm c(int buffer, int offset, int rowStride, int colStride, int batchStride) {
        c = new int[] {buffer, offset, rowStride, colStride, batchStride};
        return this;
    }

    /** Adds {@code bias[i * rowStride + j * colStride]} to C[i][j]. */
    public Gemm bias(int buffer, int rowStride, int colStride) {
        bias = buffer;
        biasRs = rowStride;
        biasCs = colStride;
        return this;
    }

    /** 1 accumulates into C (gradient sums), 0 overwrites it without reading it. */
    public Gemm beta(float v) {
        beta = v;
        return this;
    }

    public Gemm activation(int code, float alpha) {
        act = code;
        this.alpha = alpha;
        return this;
    }

    public Launch launch() {
        if (a == null || b == null || c == null) throw new IllegalStateException("gemm needs A, B and C");
        return new Launch("gemm", new long[] {(n + 63L) / 64 * 16, (m + 63L) / 64 * 16, batches}, new long[] {16, 16, 1},
                List.of(Arg.of(m), Arg.of(n), Arg.of(k),
                        Arg.buffer(a[0]), Arg.of(a[1]), Arg.of(a[2]), Arg.of(a[3]), Arg.of(a[4]),
                        Arg.buffer(b[0]), Arg.of(b[1]), Arg.of(b[2]), Arg.of(b[3]), Arg.of(b[4]),
                        Arg.buffer(c[0]), Arg.of(c[1]), Arg.of(c[2]), Arg.of(c[3]), Arg.of(c[4]),
                        Arg.buffer(bias), Arg.of(biasRs), Arg.of(biasCs), Arg.flag(bias != Arg.NO_BUFFER), Arg.of(beta), Arg.of(act), Arg.of(alpha)));
    }
}
