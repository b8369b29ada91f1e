package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.AlignedFloats;
import io.cnnc.kernels.cpu.layout.Nchwc;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One output row of one 16-channel block of a depthwise convolution on NCHW16c, for the kernels
 * that run it ({@link DepthwiseNchwcKernel} over whole planes, {@link InvertedResidualKernel}
 * over a ring of expanded rows): they say where each input row the taps read lies, this does
 * the row. 8 pixels are accumulated in registers over all taps, each tap one weight vector (its
 * 16 channels) times the input vector under each pixel, so no broadcast and no shuffle. Output
 * pixels whose window lies inside the input's columns run without bounds checks, 8 at a time and
 * then 4; the border ones, and the last 1-3 of the interior, one at a time with each tap
 * checked. Rows of taps outside the input are skipped, so padding costs nothing. The bias starts
 * the sums and ReLU/ReLU6 clamp them before the store; a residual is added in registers. Each
 * output is one fixed chain of FMAs, whatever the caller's split of the work.
 */
final class DepthwiseNchwcRow {

    private static final VectorSpecies<Float> S = Nchwc.SPECIES;
    private static final int B = Nchwc.BLOCK;
    /** Output pixels per register block. */
    static final int R = 8;

    private final ConvGeometry g;
    private final float[] w;
    /** Where the weights start in {@code w}: a cache line (see {@link AlignedFloats}). */
    private final int wAt;
    private final float[] bias;
    private final boolean residual;
    private final int taps, outW;
    /** Output columns whose every tap lies inside the input: [interiorFrom, interiorTo). */
    final int interiorFrom, interiorTo;
    private final float lo, hi;

    DepthwiseNchwcRow(ConvGeometry g, float[] weight, Epilogue e) {
        this.g = g;
        this.bias = e.bias();
        this.residual = e.residual();
        int blocks = g.inC() / B;
        this.taps = g.kernelH() * g.kernelW();
        this.outW = g.outW();
        // [channel][tap] blocked like a tensor whose pixels are the taps: one vector per (block, tap).
        AlignedFloats.Slice slice = AlignedFloats.allocate(blocks * taps * B);
        this.w = slice.array();
        this.wAt = slice.offset();
        for (int cb = 0; cb < blocks; cb++) Nchwc.blockPixels(weight, cb * B * taps, taps, w, wAt + cb * taps * B, taps);
        int sw = g.strideW(), span = (g.kernelW() - 1) * g.dilationW();
        int from = Math.min(outW, (g.padLeft() + sw - 1) / sw);
        int last = Math.floorDiv(g.inW() - 1 + g.padLeft() - span, sw);
        this.interiorFrom = from;
        this.interiorTo = Math.max(from, Math.min(outW, last + 1));
        ActivationKind a = e.activation();
        boolean clamp = a == ActivationKind.RELU || a == ActivationKind.RELU6;
        this.lo = clamp ? 0f : Float.NEGATIVE_INFINITY;
        this.hi = a == ActivationKind.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    }

    /**
     * Fills {@code rows[ky]} with where output row {@code oy}'s tap row ky starts: input row iy at
     * {@code base + (iy % ring) * rowFloats} (a whole plane has {@code ring} = its height), or -1
     * where iy is outside the input.
     */
    void tapRows(int oy, int base, int ring, int[] rows) {
        int rowFloats = g.inW() * B;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
            rows[ky] = iy < 0 || iy >= g.inH() ? -1 : base + iy % ring * rowFloats;
        }
    }

    /** The row whose tap rows start at {@code rows} (see {@link #tapRows}) of block cb into {@code y[yRow]} on; {@code res} at the same offsets. */
    void row(float[] x, int[] rows, int cb, float[] res, float[] y, int yRow) {
        int ox = 0;
        for (; ox < interiorFrom; ox++) border(x, rows, cb, res, y, yRow, ox);
        for (; ox + R <= interiorTo; ox += R) interior(x, rows, cb, res, y, yRow, ox);
        if (ox + R / 2 <= interiorTo) {
            interior4(x, rows, cb, res, y, yRow, ox);
            ox += R / 2;
        }
        for (; ox < outW; ox++) border(x, rows, cb, res, y, yRow, ox);
    }

    /**
     * Pixels ox..ox+7, all of whose taps are inside the input's columns. Vectors stay inside this
     * method: passed to a helper C2 did not inline, they were boxed, and the layer ran 2-40x slower.
     */
    private void interior(float[] x, int[] rows, int cb, float[] res, float[] y, int yRow, int ox) {
        FloatVector start = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, cb * B);
        FloatVector a0 = start, a1 = start, a2 = start, a3 = start, a4 = start, a5 = start, a6 = start, a7 = start;
        int step = g.strideW() * B, kw = g.kernelW(), tapStep = g.dilationW() * B;
        int wBlock = wAt + cb * taps * B;
        int col = (ox * g.strideW() - g.padLeft()) * B;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            if (rows[ky] < 0) continue;
            int at = rows[ky] + col;
            int wAt = wBlock + ky * kw * B;
            for (int kx = 0; kx < kw; kx++, at += tapStep, wAt += B) {
                FloatVector wv = FloatVector.fromArray(S, w, wAt);
                a0 = FloatVector.fromArray(S, x, at).fma(wv, a0);
                a1 = FloatVector.fromArray(S, x, at + step).fma(wv, a1);
                a2 = FloatVector.fromArray(S, x, at + 2 * step).fma(wv, a2);
                a3 = FloatVector.fromArray(S, x, at + 3 * step).fma(wv, a3);
                a4 = FloatVector.fromArray(S, x, at + 4 * step).fma(wv, a4);
                a5 = FloatVector.fromArray(S, x, at + 5 * step).fma(wv, a5);
                a6 = FloatVector.fromArray(S, x, at + 6 * step).fma(wv, a6);
                a7 = FloatVector.fromArray(S, x, at + 7 * step).fma(wv, a7);
            }
        }
        int o = yRow + ox * B;
        if (residual) {
            a0 = a0.add(FloatVector.fromArray(S, res, o));
            a1 = a1.add(FloatVector.fromArray(S, res, o + B));
            a2 = a2.add(FloatVector.fromArray(S, res, o + 2 * B));
            a3 = a3.add(FloatVector.fromArray(S, res, o + 3 * B));
            a4 = a4.add(FloatVector.fromArray(S, res, o + 4 * B));
            a5 = a5.add(FloatVector.fromArray(S, res, o + 5 * B));
            a6 = a6.add(FloatVector.fromArray(S, res, o + 6 * B));
            a7 = a7.add(FloatVector.fromArray(S, res, o + 7 * B));
        }
        float lo = this.lo, hi = this.hi;
        a0.max(lo).min(hi).intoArray(y, o);
        a1.max(lo).min(hi).intoArray(y, o + B);
        a2.max(lo).min(hi).intoArray(y, o + 2 * B);
        a3.max(lo).min(hi).intoArray(y, o + 3 * B);
        a4.max(lo).min(hi).intoArray(y, o + 4 * B);
        a5.max(lo).min(hi).intoArray(y, o + 5 * B);
        a6.max(lo).min(hi).intoArray(y, o + 6 * B);
        a7.max(lo).min(hi).intoArray(y, o + 7 * B);
    }

    /** {@link #interior} for 4 pixels: the rest of a row's interior (14 - 2 border columns = 8 + 4). */
    private void interior4(float[] x, int[] rows, int cb, float[] res, float[] y, int yRow, int ox) {
        FloatVector start = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, cb * B);
        FloatVector a0 = start, a1 = start, a2 = start, a3 = start;
        int step = g.strideW() * B, kw = g.kernelW(), tapStep = g.dilationW() * B;
        int wBlock = wAt + cb * taps * B;
        int col = (ox * g.strideW() - g.padLeft()) * B;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            if (rows[ky] < 0) continue;
            int at = rows[ky] + col;
            int wAt = wBlock + ky * kw * B;
            for (int kx = 0; kx < kw; kx++, at += tapStep, wAt += B) {
                FloatVector wv = FloatVector.fromArray(S, w, wAt);
                a0 = FloatVector.fromArray(S, x, at).fma(wv, a0);
                a1 = FloatVector.fromArray(S, x, at + step).fma(wv, a1);
                a2 = FloatVector.fromArray(S, x, at + 2 * step).fma(wv, a2);
                a3 = FloatVector.fromArray(S, x, at + 3 * step).fma(wv, a3);
            }
        }
        int o = yRow + ox * B;
        if (residual) {
            a0 = a0.add(FloatVector.fromArray(S, res, o));
            a1 = a1.add(FloatVector.fromArray(S, res, o + B));
            a2 = a2.add(FloatVector.fromArray(S, res, o + 2 * B));
            a3 = a3.add(FloatVector.fromArray(S, res, o + 3 * B));
        }
        float lo = this.lo, hi = this.hi;
        a0.max(lo).min(hi).intoArray(y, o);
        a1.max(lo).min(hi).intoArray(y, o + B);
        a2.max(lo).min(hi).intoArray(y, o + 2 * B);
        a3.max(lo).min(hi).intoArray(y, o + 3 * B);
    }

    /** One pixel whose window may reach past the input's columns: each tap checked. */
    private void border(float[] x, int[] rows, int cb, float[] res, float[] y, int yRow, int ox) {
        FloatVector a = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, cb * B);
        int wBlock = wAt + cb * taps * B;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            if (rows[ky] < 0) continue;
            for (int kx = 0; kx < g.kernelW(); kx++) {
                int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                if (ix < 0 || ix >= g.inW()) continue;
                a = FloatVector.fromArray(S, x, rows[ky] + ix * B).fma(FloatVector.fromArray(S, w, wBlock + (ky * g.kernelW() + kx) * B), a);
            }
        }
        int at = yRow + ox * B;
        if (residual) a = a.add(FloatVector.fromArray(S, res, at));
        a.max(lo).min(hi).intoArray(y, at);
    }
}
