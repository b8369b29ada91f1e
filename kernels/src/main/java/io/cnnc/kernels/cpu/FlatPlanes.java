package io.cnnc.kernels.cpu;

/**
 * The padded copy of an input plane split by stride phase along rows and columns, for a kernel
 * that numbers a conv's outputs row-major with a row pitch of {@link #pitch} instead of outW:
 * output (oy, ox) reads tap (ky, kx) at {@code base + tap(ky, kx)} with {@code base = oy*pitch + ox},
 * so L consecutive such numbers are one unmasked vector load even where they cross into the
 * next output row. The {@code pitch - outW} numbers at the end of each row are junk outputs the
 * kernel drops; a 28-column stride-2 output wastes 1 lane in 29 this way, where vectors that
 * stop at each row's end waste 4 in 32 (and 9 in 16 on 7-column rows).
 *
 * <p>Sub-plane (py, px) holds the padded rows {@code r = py (mod sh)} and columns {@code c = px
 * (mod sw)}, element (r/sh, c/sw) at {@code (py*sw + px)*subSize + (r/sh)*pitch + c/sw}. As in
 * {@link PhasePlanes}, {@link #fill} writes only where input goes, so padding stays zero.
 */
public final class FlatPlanes {

    private static final int L = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();

    private final int inH, inW, padTop, padLeft, strideH, strideW, dilationH, dilationW;
    private final int pitch, subSize;

    public FlatPlanes(int inH, int inW, int padTop, int padLeft, int outH, int outW, int kernelH, int kernelW,
                      int strideH, int strideW, int dilationH, int dilationW) {
        this.inH = inH;
        this.inW = inW;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.strideH = strideH;
        this.strideW = strideW;
        this.dilationH = dilationH;
        this.dilationW = dilationW;
        this.pitch = Math.max((padLeft + inW + strideW - 1) / strideW, outW + (kernelW - 1) * dilationW / strideW);
        int rows = Math.max((padTop + inH + strideH - 1) / strideH, outH + (kernelH - 1) * dilationH / strideH);
        // Slack: a vector starting at the last output reads up to L-1 junk numbers further, and
        // the stride-2 fill zeroes L floats past a row's end.
        long size = (long) rows * pitch + 2L * L;
        if (size * strideH * strideW > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("plane too large: " + rows + " x " + pitch);
        this.subSize = (int) size;
    }

    /** Numbers per output row: output (oy, ox) is number {@code oy * pitch + ox}. */
    public int pitch() {
        return pitch;
    }

    public int planeSize() {
        return strideH * strideW * subSize;
    }

    /** Offset of tap (ky, kx) relative to an output's number. */
    public int tap(int ky, int kx) {
        int r = ky * dilationH, c = kx * dilationW;
        return ((r % strideH) * strideW + c % strideW) * subSize + r / strideH * pitch + c / strideW;
    }

    /** Copies input plane {@code x[xOff..xOff+inH*inW)} into its places at {@code dst[dstOff..]}. */
    public void fill(float[] x, int xOff, float[] dst, int dstOff) {
        fill(x, xOff, dst, dstOff, 0, inH);
    }

    /** {@link #fill} for input rows {@code [iyFrom, iyTo)} only; rows must be filled in increasing order. */
    public void fill(float[] x, int xOff, float[] dst, int dstOff, int iyFrom, int iyTo) {
        for (int iy = iyFrom; iy < iyTo; iy++) {
            int src = xOff + iy * inW;
            int r = padTop + iy;
            int row = dstOff + (r % strideH) * strideW * subSize + r / strideH * pitch;
            if (strideW == 1) {
                System.arraycopy(x, src, dst, row + padLeft, inW);
            } else if (strideW == 2) {
                // Rows of one sub-plane are filled in order, so the zeros written past a row's end
                // land on rows still to come (or the slack).
                PhasePlanes.deinterleave(x, src, inW, dst, row + (padLeft % 2) * subSize + padLeft / 2,
                        row + ((padLeft + 1) % 2) * subSize + (padLeft + 1) / 2);
            } else {
                for (int ix = 0; ix < inW; ix++) {
                    int c = padLeft + ix;
                    dst[row + (c % strideW) * subSize + c / strideW] = x[src + ix];
                }
            }
        }
    }
}
