package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.PhasePlanes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution (groups == inC, channel multiplier outC/inC), any kernel size, stride,
 * padding and dilation. Each input plane is copied once into a zero-padded, column-phase-split
 * buffer ({@link PhasePlanes}, small enough to stay in L1 for MobileNet-sized planes), after
 * which every tap of every output vector is one unmasked contiguous load: stride 2 and the
 * borders cost nothing extra in the inner loop. The output plane is cut into vectors of
 * {@code L} columns of one row ("slots"); {@value #NV} slots are accumulated at once in
 * registers over all taps (weight broadcast per tap). 3x3 kernels with stride 1 or 2 (nearly all
 * depthwise layers) instead slide down {@value #ROWS} output rows of one column block, loading
 * each input row once per kernel column for the two or three output rows it feeds, with the
 * kernel column's weights in registers. Sums start from the bias and ReLU/ReLU6 clamp them in
 * registers before the store; a residual or another activation runs once over the finished plane
 * while it is in L1. Work is split over (sample, input channel) planes; each output is
 * one fixed chain of FMAs whatever the split, so results do not depend on the thread count.
 */
public final class DepthwiseStrategy implements ConvStrategy {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output vectors accumulated together: 8 independent FMA chains cover FMA latency at 2 per cycle. */
    static final int NV = 8;
    /** Output rows per call of the 3x3 row-sliding kernels. */
    static final int ROWS = 8;
    /** Below this many multiply-adds per call, splitting over threads costs more than it saves. */
    private static final long PARALLEL_MACS = 200_000;

    public String name() {
        return "depthwise";
    }

    public boolean supports(ConvGeometry g) {
        return g.groups() == g.inC();
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (!supports(g)) throw new IllegalArgumentException("depthwise needs groups == inC, got " + g);
        return new Kernel(g, weight.clone(), epilogue, parallel);
    }

    /** Output rows fill vectors of L pixels. */
    @Override
    public ConvWork work(ConvGeometry g, int threads) {
        return ConvWork.padded(g, ConvWork.roundedUp(g.outW(), L), "one channel per group: bandwidth-bound, vectorized along the row");
    }

    /** One channel per group is depthwise's own case, not a grouped layer: one key. */
    @Override
    public String efficiencyKey(ConvGeometry g) {
        return name();
    }

    private static final class Kernel implements ConvKernel {
        private final ConvGeometry g;
        private final float[] w;
        private final Epilogue e;
        private final Parallel parallel;
        private final PhasePlanes planes;
        private final int mult, taps, outHW;
        private final int[] tapOff;
        /** Per slot (padded to a multiple of NV by repeating the last): plane offset of its window, output offset. */
        private final int[] slotBase, slotOut;
        private final int slots;
        private final float[][] scratch;
        /**
         * Bias, ReLU and ReLU6 are applied in registers before the store (the bias is where the
         * sums start, the activation a clamp to [lo, hi]); a residual or another activation runs
         * as a pass over the finished plane ({@link #rest}).
         */
        private final float[] bias;
        private final float lo, hi;
        private final Epilogue rest;
        /** 3x3, dilation 1, stride 1 or 2: the row-sliding kernel ({@link #rows3x3s1}, {@link #rows3x3s2}). */
        private final boolean fast3x3;
        private final int outH, outW, rowLen, col0, col1, col2;

        Kernel(ConvGeometry g, float[] w, Epilogue e, Parallel parallel) {
            this.g = g;
            this.w = w;
            this.e = e;
            this.parallel = parallel;
            this.mult = g.outC() / g.inC();
            this.taps = g.kernelH() * g.kernelW();
            int outH = g.outH(), outW = g.outW();
            this.outH = outH;
            this.outW = outW;
            this.outHW = outH * outW;
            this.fast3x3 = g.kernelH() == 3 && g.kernelW() == 3 && g.dilationH() == 1 && g.dilationW() == 1
                    && g.strideH() == g.strideW() && g.strideH() <= 2;
            // The row-sliding kernel computes ROWS output rows at a time, so the plane holds the
            // taps of outH rounded up to a multiple of ROWS (rows past outH are computed, not stored).
            int rowsCovered = fast3x3 ? (outH + ROWS - 1) / ROWS * ROWS : outH;
            this.planes = new PhasePlanes(g.inH(), g.inW(), g.padTop(), g.padLeft(), rowsCovered, outW, g.kernelH(), g.kernelW(),
                    g.strideH(), g.strideW(), g.dilationH(), g.dilationW());
            this.rowLen = planes.rowLength();
            this.col0 = planes.tap(0, 0);
            this.col1 = fast3x3 ? planes.tap(0, 1) : 0;
            this.col2 = fast3x3 ? planes.tap(0, 2) : 0;
            this.tapOff = new int[taps];
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++) tapOff[ky * g.kernelW() + kx] = planes.tap(ky, kx);
            }
            int perRow = (outW + L - 1) / L;
            int real = outH * perRow;
            this.slots = (real + NV - 1) / NV * NV;
            slotBase = new int[slots];
            slotOut = new int[slots];
            for (int s = 0; s < slots; s++) {
                int r = Math.min(s, real - 1);
                int oy = r / perRow, ox = r % perRow * L;
                slotBase[s] = planes.base(oy, ox);
                slotOut[s] = oy * outW + ox;
            }
            this.scratch = new float[parallel.threads()][];
            this.bias = e.bias();
            ActivationKind a = e.activation();
            boolean clamp = !e.residual() && (a == ActivationKind.RELU || a == ActivationKind.RELU6);
            this.lo = clamp ? 0f : Float.NEGATIVE_INFINITY;
            this.hi = clamp && a == ActivationKind.RELU6 ? 6f : Float.POSITIVE_INFINITY;
            this.rest = e.residual() || !(clamp || a == ActivationKind.IDENTITY) ? Epilogue.of(null, e.residual(), a, e.alpha()) : null;
        }

        public void forward(float[] x, float[] residual, float[] y, int batch) {
            int inPlanes = batch * g.inC();
            boolean wide = (long) batch * g.macsPerSample() >= PARALLEL_MACS && parallel.threads() > 1;
            int tasks = wide ? Math.min(parallel.threads(), inPlanes) : 1;
            (wide ? parallel : Parallel.serial()).forRange(tasks, t -> {
                if (scratch[t] == null) scratch[t] = new float[planes.planeSize()];
                float[] p = scratch[t];
                float[] tile = new float[NV * L];
                int inHW = g.inH() * g.inW();
                for (int nc = inPlanes * t / tasks; nc < inPlanes * (t + 1) / tasks; nc++) {
                    planes.fill(x, nc * inHW, p, 0);
                    int n = nc / g.inC(), ic = nc % g.inC();
                    for (int j = 0; j < mult; j++) {
                        int oc = ic * mult + j;
                        int yOff = (n * g.outC() + oc) * outHW;
                        outputPlane(p, tile, y, yOff, oc);
                        if (rest != null) rest.apply(y, yOff, outHW, oc, residual);
                    }
                }
            });
        }

        /** Output channel oc from the filled input plane p. */
        private void outputPlane(float[] p, float[] tile, float[] y, int yOff, int oc) {
            float start = bias == null ? 0f : bias[oc];
            if (!fast3x3) {
                for (int s = 0; s < slots; s += NV) {
                    plane8(p, w, oc * taps, s, tile, start);
                    copySlots(tile, y, yOff, s);
                }
                return;
            }
            boolean s1 = g.strideH() == 1;
            int end = yOff + outHW;
            for (int oy = 0; oy < outH; oy += ROWS) {
                for (int ox = (outW - 1) / L * L; ox >= 0; ox -= L) {
                    // Straight into y when all ROWS vectors fit in the plane (lanes past a row's
                    // end land on later rows, written afterwards); else through the tile.
                    int at = yOff + oy * outW + ox;
                    boolean direct = oy + ROWS <= outH && at + (ROWS - 1) * outW + L <= end;
                    float[] dst = direct ? y : tile;
                    int dstOff = direct ? at : 0, dstStride = direct ? outW : L;
                    if (s1) rows3x3s1(p, planes.base(oy, ox), w, oc * 9, dst, dstOff, dstStride, start);
                    else rows3x3s2(p, planes.base(oy, ox), w, oc * 9, dst, dstOff, dstStride, start);
                    if (!direct) copyRows(tile, y, yOff, oy, ox);
                }
            }
        }

        /**
         * 3x3 stride 1: output rows oy..oy+7 of one column vector. Each input row is loaded once
         * per kernel column and feeds the (up to) three output rows it overlaps, so 8 rows take
         * 30 loads for 72 FMAs; the kernel column's three weights stay in registers.
         */
        private void rows3x3s1(float[] p, int b, float[] w, int wOff, float[] dst, int dstOff, int dstStride, float start) {
            FloatVector a0 = FloatVector.broadcast(S, start), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            int rl = rowLen;
            for (int kx = 0; kx < 3; kx++) {
                FloatVector w0 = FloatVector.broadcast(S, w[wOff + kx]);
                FloatVector w1 = FloatVector.broadcast(S, w[wOff + 3 + kx]);
                FloatVector w2 = FloatVector.broadcast(S, w[wOff + 6 + kx]);
                int at = b + kx;
                FloatVector v = FloatVector.fromArray(S, p, at);
                a0 = v.fma(w0, a0);
                v = FloatVector.fromArray(S, p, at + rl);
                a0 = v.fma(w1, a0);
                a1 = v.fma(w0, a1);
                v = FloatVector.fromArray(S, p, at + 2 * rl);
                a0 = v.fma(w2, a0);
                a1 = v.fma(w1, a1);
                a2 = v.fma(w0, a2);
                v = FloatVector.fromArray(S, p, at + 3 * rl);
                a1 = v.fma(w2, a1);
                a2 = v.fma(w1, a2);
                a3 = v.fma(w0, a3);
                v = FloatVector.fromArray(S, p, at + 4 * rl);
                a2 = v.fma(w2, a2);
                a3 = v.fma(w1, a3);
                a4 = v.fma(w0, a4);
                v = FloatVector.fromArray(S, p, at + 5 * rl);
                a3 = v.fma(w2, a3);
                a4 = v.fma(w1, a4);
                a5 = v.fma(w0, a5);
                v = FloatVector.fromArray(S, p, at + 6 * rl);
                a4 = v.fma(w2, a4);
                a5 = v.fma(w1, a5);
                a6 = v.fma(w0, a6);
                v = FloatVector.fromArray(S, p, at + 7 * rl);
                a5 = v.fma(w2, a5);
                a6 = v.fma(w1, a6);
                a7 = v.fma(w0, a7);
                v = FloatVector.fromArray(S, p, at + 8 * rl);
                a6 = v.fma(w2, a6);
                a7 = v.fma(w1, a7);
                v = FloatVector.fromArray(S, p, at + 9 * rl);
                a7 = v.fma(w2, a7);
            }
            float lo = this.lo, hi = this.hi;
            a0.max(lo).min(hi).intoArray(dst, dstOff);
            a1.max(lo).min(hi).intoArray(dst, dstOff + dstStride);
            a2.max(lo).min(hi).intoArray(dst, dstOff + 2 * dstStride);
            a3.max(lo).min(hi).intoArray(dst, dstOff + 3 * dstStride);
            a4.max(lo).min(hi).intoArray(dst, dstOff + 4 * dstStride);
            a5.max(lo).min(hi).intoArray(dst, dstOff + 5 * dstStride);
            a6.max(lo).min(hi).intoArray(dst, dstOff + 6 * dstStride);
            a7.max(lo).min(hi).intoArray(dst, dstOff + 7 * dstStride);
        }

        /**
         * 3x3 stride 2 on the phase-split plane: output row r reads input rows 2r, 2r+1, 2r+2, so
         * the even rows feed two output rows; 8 rows take 51 loads for 72 FMAs.
         */
        private void rows3x3s2(float[] p, int b, float[] w, int wOff, float[] dst, int dstOff, int dstStride, float start) {
            FloatVector a0 = FloatVector.broadcast(S, start), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            int rl = rowLen;
            for (int kx = 0; kx < 3; kx++) {
                FloatVector w0 = FloatVector.broadcast(S, w[wOff + kx]);
                FloatVector w1 = FloatVector.broadcast(S, w[wOff + 3 + kx]);
                FloatVector w2 = FloatVector.broadcast(S, w[wOff + 6 + kx]);
                int at = b + (kx == 0 ? col0 : kx == 1 ? col1 : col2);
                FloatVector v = FloatVector.fromArray(S, p, at);
                a0 = v.fma(w0, a0);
                a0 = FloatVector.fromArray(S, p, at + rl).fma(w1, a0);
                v = FloatVector.fromArray(S, p, at + 2 * rl);
                a0 = v.fma(w2, a0);
                a1 = v.fma(w0, a1);
                a1 = FloatVector.fromArray(S, p, at + 3 * rl).fma(w1, a1);
                v = FloatVector.fromArray(S, p, at + 4 * rl);
                a1 = v.fma(w2, a1);
                a2 = v.fma(w0, a2);
                a2 = FloatVector.fromArray(S, p, at + 5 * rl).fma(w1, a2);
                v = FloatVector.fromArray(S, p, at + 6 * rl);
                a2 = v.fma(w2, a2);
                a3 = v.fma(w0, a3);
                a3 = FloatVector.fromArray(S, p, at + 7 * rl).fma(w1, a3);
                v = FloatVector.fromArray(S, p, at + 8 * rl);
                a3 = v.fma(w2, a3);
                a4 = v.fma(w0, a4);
                a4 = FloatVector.fromArray(S, p, at + 9 * rl).fma(w1, a4);
                v = FloatVector.fromArray(S, p, at + 10 * rl);
                a4 = v.fma(w2, a4);
                a5 = v.fma(w0, a5);
                a5 = FloatVector.fromArray(S, p, at + 11 * rl).fma(w1, a5);
                v = FloatVector.fromArray(S, p, at + 12 * rl);
                a5 = v.fma(w2, a5);
                a6 = v.fma(w0, a6);
                a6 = FloatVector.fromArray(S, p, at + 13 * rl).fma(w1, a6);
                v = FloatVector.fromArray(S, p, at + 14 * rl);
                a6 = v.fma(w2, a6);
                a7 = v.fma(w0, a7);
                a7 = FloatVector.fromArray(S, p, at + 15 * rl).fma(w1, a7);
                a7 = FloatVector.fromArray(S, p, at + 16 * rl).fma(w2, a7);
            }
            float lo = this.lo, hi = this.hi;
            a0.max(lo).min(hi).intoArray(dst, dstOff);
            a1.max(lo).min(hi).intoArray(dst, dstOff + dstStride);
            a2.max(lo).min(hi).intoArray(dst, dstOff + 2 * dstStride);
            a3.max(lo).min(hi).intoArray(dst, dstOff + 3 * dstStride);
            a4.max(lo).min(hi).intoArray(dst, dstOff + 4 * dstStride);
            a5.max(lo).min(hi).intoArray(dst, dstOff + 5 * dstStride);
            a6.max(lo).min(hi).intoArray(dst, dstOff + 6 * dstStride);
            a7.max(lo).min(hi).intoArray(dst, dstOff + 7 * dstStride);
        }

        // The kernels store their NV result vectors unguarded, into y where they all fit in the
        // plane and otherwise into a small tile that is copied: masked or guarded stores expand
        // to so much IR that C2 stops inlining the Vector API calls in a method this size
        // (NodeCountInliningCutoff), and a vector in a call that is not inlined is boxed on the
        // heap. These copies run in their own methods. For the same reason each kernel stores
        // its eight accumulators itself rather than handing them to a shared store method.
        //
        // A vector partly past its row is copied whole: the lanes past the row land on the start
        // of later rows of the same plane, which are written afterwards (the row-sliding kernels
        // walk column blocks right to left, slots go in row-major order); only a vector that would
        // pass the plane's end is copied element by element.

        /** Rows oy..oy+ROWS-1 (those below outH) of column block ox from the tile into y. */
        private void copyRows(float[] tile, float[] y, int yOff, int oy, int ox) {
            int end = yOff + outHW;
            int rows = Math.min(ROWS, outH - oy);
            for (int r = 0, at = yOff + oy * outW + ox; r < rows; r++, at += outW) copy(tile, r * L, y, at, end);
        }

        /** Slots s..s+NV-1 from the tile into y. */
        private void copySlots(float[] tile, float[] y, int yOff, int s) {
            int end = yOff + outHW;
            for (int j = 0; j < NV; j++) copy(tile, j * L, y, yOff + slotOut[s + j], end);
        }

        private static void copy(float[] tile, int from, float[] y, int at, int end) {
            if (at + L <= end) FloatVector.fromArray(S, tile, from).intoArray(y, at);
            else System.arraycopy(tile, from, y, at, end - at);
        }

        /** Slots s..s+7 of one output plane over all taps. */
        private void plane8(float[] p, float[] w, int wOff, int s, float[] tile, float start) {
            int b0 = slotBase[s], b1 = slotBase[s + 1], b2 = slotBase[s + 2], b3 = slotBase[s + 3];
            int b4 = slotBase[s + 4], b5 = slotBase[s + 5], b6 = slotBase[s + 6], b7 = slotBase[s + 7];
            FloatVector a0 = FloatVector.broadcast(S, start), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            int[] to = tapOff;
            for (int t = 0; t < taps; t++) {
                int o = to[t];
                FloatVector wt = FloatVector.broadcast(S, w[wOff + t]);
                a0 = FloatVector.fromArray(S, p, b0 + o).fma(wt, a0);
                a1 = FloatVector.fromArray(S, p, b1 + o).fma(wt, a1);
                a2 = FloatVector.fromArray(S, p, b2 + o).fma(wt, a2);
                a3 = FloatVector.fromArray(S, p, b3 + o).fma(wt, a3);
                a4 = FloatVector.fromArray(S, p, b4 + o).fma(wt, a4);
                a5 = FloatVector.fromArray(S, p, b5 + o).fma(wt, a5);
                a6 = FloatVector.fromArray(S, p, b6 + o).fma(wt, a6);
                a7 = FloatVector.fromArray(S, p, b7 + o).fma(wt, a7);
            }
            float lo = this.lo, hi = this.hi;
            a0.max(lo).min(hi).intoArray(tile, 0);
            a1.max(lo).min(hi).intoArray(tile, L);
            a2.max(lo).min(hi).intoArray(tile, 2 * L);
            a3.max(lo).min(hi).intoArray(tile, 3 * L);
            a4.max(lo).min(hi).intoArray(tile, 4 * L);
            a5.max(lo).min(hi).intoArray(tile, 5 * L);
            a6.max(lo).min(hi).intoArray(tile, 6 * L);
            a7.max(lo).min(hi).intoArray(tile, 7 * L);
        }

        public String tiling() {
            return "depthwise: " + NV + " output vectors of " + L + " columns per register block, padded phase-split plane "
                    + planes.rowLength() + " floats/row, split over (sample, channel)";
        }
    }
}
