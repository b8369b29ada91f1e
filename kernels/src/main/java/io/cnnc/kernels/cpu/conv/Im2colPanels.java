package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.gemm.BPanels;
import io.cnnc.kernels.cpu.gemm.PackedGemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The im2col matrix of one sample and one group, [inC/groups * kH * kW, outH * outW], packed
 * straight from the input into GEMM panels: the column matrix itself is never written. Row p is
 * (channel, ky, kx); column j is (oy, ox).
 * <p>
 * Copies go a vector at a time: within one output row, consecutive columns read consecutive
 * inputs when the stride is 1, and a masked load zeroes the lanes that fall in the padding. A
 * horizontal stride s is turned into stride 1 first by splitting each input row into its s
 * phases (columns r, r+s, r+2s...), once per sample: tap kx then reads one phase contiguously.
 */
final class Im2colPanels implements BPanels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final ConvGeometry g;
    private final int outW;
    private final int n;
    private final int k;
    private final int sw;
    /** Columns per phase row (the longest phase); a decimated row is sw of these. */
    private final int phaseLen;
    private final int rowLen;
    private final float[] phases;
    private float[] src;
    private int srcOff;

    /**
     * {@code w} with the whole im2col matrix of a sample packed on the fly, row by row or pixel by
     * pixel, added to its traffic: a big-kernel stem pays for it (docs/compiler.md, strategy choice).
     */
    static ConvWork packedOnTheFly(ConvGeometry g, ConvWork w) {
        double panels = (double) (g.inC() / g.groups()) * g.kernelH() * g.kernelW() * g.outH() * g.outW() * g.groups();
        return w.with(w.flops(), w.bytes() + 4 * panels, w.why() + ", im2col packed on the fly (" + (long) (panels * 4 / 1024) + " KiB of panels)");
    }

    Im2colPanels(ConvGeometry g) {
        this.g = g;
        this.outW = g.outW();
        this.n = g.outH() * outW;
        this.k = g.inC() / g.groups() * g.kernelH() * g.kernelW();
        this.sw = g.strideW();
        this.phaseLen = (g.inW() + sw - 1) / sw;
        this.rowLen = sw == 1 ? g.inW() : sw * phaseLen;
        this.phases = sw == 1 ? null : new float[g.inC() / g.groups() * g.inH() * rowLen];
    }

    /** Points the panels at the input planes of one sample's group, starting at {@code x[off]}. */
    Im2colPanels source(float[] x, int off) {
        if (sw == 1) {
            src = x;
            srcOff = off;
            return this;
        }
        int rows = g.inC() / g.groups() * g.inH();
        int inW = g.inW();
        for (int row = 0; row < rows; row++) {
            int from = off + row * inW;
            int to = row * rowLen;
            for (int r = 0; r < sw; r++) {
                int len = (inW - r + sw - 1) / sw;
                for (int u = 0; u < len; u++) phases[to + r * phaseLen + u] = x[from + u * sw + r];
            }
        }
        src = phases;
        srcOff = 0;
        return this;
    }

    public int k() {
        return k;
    }

    public int n() {
        return n;
    }

    public void pack(int p0, int kc, int j0, int nc, float[] dst, int dstOff) {
        int nr = PackedGemm.NR;
        int taps = g.kernelH() * g.kernelW();
        int inH = g.inH(), inW = g.inW();
        int startRow = j0 / outW;
        int startCol = j0 - startRow * outW;
        FloatVector zero = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int row = p0 + p;
            int c = row / taps;
            int ky = row % taps / g.kernelW();
            int kx = row % g.kernelW();
            int shift = kx * g.dilationW() - g.padLeft();
            int phase = Math.floorMod(shift, sw);
            int base = Math.floorDiv(shift, sw);
            int limit = (inW - phase + sw - 1) / sw;
            int plane = srcOff + c * inH * rowLen + phase * phaseLen;
            int oy = startRow, ox = startCol;
            int pos = 0;
            while (pos < nc) {
                int q = pos / nr;
                int jj = pos - q * nr;
                int chunk = Math.min(Math.min(L, nr - jj), Math.min(outW - ox, nc - pos));
                int d = dstOff + q * kc * nr + p * nr + jj;
                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                int u0 = ox + base;
                if (iy < 0 || iy >= inH) {
                    zero.intoArray(dst, d, S.indexInRange(0, chunk));
                } else if (chunk == L && u0 >= 0 && u0 + L <= limit) {
                    FloatVector.fromArray(S, src, plane + iy * rowLen + u0).intoArray(dst, d);
                } else {
                    VectorMask<Float> inside = S.indexInRange(u0, limit).and(S.indexInRange(0, chunk));
                    FloatVector.fromArray(S, src, plane + iy * rowLen + u0, inside).intoArray(dst, d, S.indexInRange(0, chunk));
                }
                pos += chunk;
                ox += chunk;
                if (ox == outW) {
                    ox = 0;
                    oy++;
                }
            }
        }
        // Columns past the end of the last panel are zero, so the microkernel's extra lanes add nothing.
        int tail = nc % nr;
        if (tail != 0) {
            int from = dstOff + (nc / nr) * kc * nr;
            for (int p = 0; p < kc; p++) java.util.Arrays.fill(dst, from + p * nr + tail, from + (p + 1) * nr, 0f);
        }
    }
}
