package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The padded, column-phase-split copy of an input plane that the direct, depthwise and pooling
 * kernels read, so that every tap of a window becomes one contiguous vector load with no bounds
 * logic: output column {@code ox}, tap {@code kx} reads padded column {@code c = ox*sw + kx*dw},
 * which this layout stores in phase {@code c % sw} at index {@code c / sw}; consecutive outputs
 * read consecutive floats of one phase. Rows are not split (the row stride goes into the row
 * offset). Each row is {@code sw} phases of {@link #phaseLen} floats, wide enough that a full
 * vector at the last output column block stays inside the row, and there are enough rows for the
 * last output row's taps.
 *
 * <p>{@link #fill} writes only the positions that hold input; the padding positions of a buffer
 * are never written, so a buffer filled with the pad value once (zero for convolutions, the
 * default of a new array) stays correct across calls.
 */
public final class PhasePlanes {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Two-vector shuffles for {@code a.rearrange(shuffle, b)}: the even (odd) lanes of a, then
     * those of b (an exceptional, negative index takes its lane from b); Vector.selectFrom(a, b)
     * does the same but was slower (docs/kernels.md, "Depthwise").
     */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(S, i -> 2 * i < L ? 2 * i : 2 * i - 2 * L);
    private static final VectorShuffle<Float> ODDS = VectorShuffle.fromOp(S, i -> 2 * i + 1 < L ? 2 * i + 1 : 2 * i + 1 - 2 * L);

    private final int inH, inW, padTop, padLeft, strideH, strideW, dilationH, dilationW;
    private final int phaseLen, rowLen, rows;

    /**
     * Layout for an input of {@code inH x inW} padded by {@code padTop, padLeft} (the far sides'
     * padding is implied by the output size), read by an {@code outH x outW} output through a
     * {@code kernelH x kernelW} window with the given strides and dilations.
     */
    public PhasePlanes(int inH, int inW, int padTop, int padLeft, int outH, int outW, int kernelH, int kernelW,
                       int strideH, int strideW, int dilationH, int dilationW) {
        this.inH = inH;
        this.inW = inW;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.strideH = strideH;
        this.strideW = strideW;
        this.dilationH = dilationH;
        this.dilationW = dilationW;
        int blocks = (outW + L - 1) / L * L;
        // Stride 2 gets a vector of slack per phase for deinterleave's unmasked last vector.
        this.phaseLen = Math.max((padLeft + inW + strideW - 1) / strideW, blocks + (kernelW - 1) * dilationW / strideW)
                + (strideW == 2 ? L : 0);
        this.rowLen = strideW * phaseLen;
        this.rows = Math.max(padTop + inH, (outH - 1) * strideH + (kernelH - 1) * dilationH + 1);
        long size = (long) rows * rowLen;
        if (size > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("plane too large: " + rows + " x " + rowLen);
    }

    public int planeSize() {
        return rows * rowLen;
    }

    public int rowLength() {
        return rowLen;
    }

    public int phaseLength() {
        return phaseLen;
    }

    /** Offset within a plane of tap (ky, kx), relative to the output position's {@link #base}. */
    public int tap(int ky, int kx) {
        int c = kx * dilationW;
        return ky * dilationH * rowLen + (c % strideW) * phaseLen + c / strideW;
    }

    /** Offset within a plane where output (oy, ox)'s window starts (its tap (0, 0)). */
    public int base(int oy, int ox) {
        return oy * strideH * rowLen + ox;
    }

    /** Copies input plane {@code x[xOff..xOff+inH*inW)} into its places at {@code dst[dstOff..]}. */
    public void fill(float[] x, int xOff, float[] dst, int dstOff) {
        fill(x, xOff, dst, dstOff, 0, inH);
    }

    /** {@link #fill} for input rows {@code [iyFrom, iyTo)} only; rows must be filled in increasing order. */
    public void fill(float[] x, int xOff, float[] dst, int dstOff, int iyFrom, int iyTo) {
        for (int iy = iyFrom; iy < iyTo; iy++) {
            int src = xOff + iy * inW;
            int row = dstOff + (padTop + iy) * rowLen;
            if (strideW == 1) {
                System.arraycopy(x, src, dst, row + padLeft, inW);
            } else if (strideW == 2) {
                deinterleave(x, src, dst, row);
            } else {
                // Phase q holds the input columns ix0, ix0 + sw, ... with (padLeft + ix0) % sw == q.
                for (int q = 0; q < strideW; q++) {
                    int ix0 = Math.floorMod(q - padLeft, strideW);
                    int at = row + q * phaseLen + (padLeft + ix0) / strideW;
                    for (int ix = ix0; ix < inW; ix += strideW) dst[at++] = x[src + ix];
                }
            }
        }
    }

    /** Stride 2: the even and odd input columns of one row go to their phases, a vector pair at a time. */
    private void deinterleave(float[] x, int src, float[] dst, int row) {
        // Input column ix = 2j lands in phase padLeft%2 at index (padLeft+2j)/2 = padLeft/2 + j;
        // ix = 2j+1 in the other phase at (padLeft+1)/2 + j.
        deinterleave(x, src, inW, dst, row + (padLeft % 2) * phaseLen + padLeft / 2, row + ((padLeft + 1) % 2) * phaseLen + (padLeft + 1) / 2);
    }

    /**
     * Input columns 0, 2, 4... of the {@code inW}-column row at {@code x[src]} to {@code dst[evenAt..]},
     * columns 1, 3... to {@code dst[oddAt..]}. The L floats after the last column of each are
     * overwritten with zeros (the row's slack or padding, or later rows not filled yet).
     */
    static void deinterleave(float[] x, int src, int inW, float[] dst, int evenAt, int oddAt) {
        int ix = 0;
        for (; ix + 2 * L <= inW; ix += 2 * L) {
            FloatVector a = FloatVector.fromArray(S, x, src + ix);
            FloatVector b = FloatVector.fromArray(S, x, src + ix + L);
            // Two-vector permutes (vpermt2ps on AVX-512).
            a.rearrange(EVENS, b).intoArray(dst, evenAt + ix / 2);
            a.rearrange(ODDS, b).intoArray(dst, oddAt + ix / 2);
        }
        if (ix < inW) {
            int r = inW - ix;
            if (src + ix + 2 * L <= x.length) {
                // The last 1..2L-1 columns, unmasked (masked loads and stores made a 100-column
                // plane 50% slower than a 96-column one): the lanes past the row's end land in
                // the phase's slack or right padding, which then gets its zeros back.
                FloatVector a = FloatVector.fromArray(S, x, src + ix);
                FloatVector b = FloatVector.fromArray(S, x, src + ix + L);
                a.rearrange(EVENS, b).intoArray(dst, evenAt + ix / 2);
                a.rearrange(ODDS, b).intoArray(dst, oddAt + ix / 2);
                FloatVector zero = FloatVector.zero(S);
                zero.intoArray(dst, evenAt + ix / 2 + (r + 1) / 2);
                zero.intoArray(dst, oddAt + ix / 2 + r / 2);
            } else {
                // The input's last row: masked, not to read past the array.
                FloatVector a = FloatVector.fromArray(S, x, src + ix, S.indexInRange(0, r));
                FloatVector b = FloatVector.fromArray(S, x, src + ix + L, S.indexInRange(L, r));
                a.rearrange(EVENS, b).intoArray(dst, evenAt + ix / 2, S.indexInRange(0, (r + 1) / 2));
                a.rearrange(ODDS, b).intoArray(dst, oddAt + ix / 2, S.indexInRange(0, r / 2));
            }
        }
    }
}
