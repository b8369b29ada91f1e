package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A depthwise convolution's weight gradient (one input channel per group, any multiplier):
 * dW[o][tap] += sum over samples and output pixels of dy[o][p] * x[o's channel][p's tap]. Each
 * sample's input plane is split into its stride phases (stride 1: one phase, the plane itself)
 * with the padding written out, and dy's plane is laid on the phases' row width with zero
 * columns, so every tap becomes one flat dot product of two contiguous runs: vectors of any
 * length along the pixels, whatever the plane's width, and no gathers for stride 2. The
 * channels are shared out over the workers, each summing its own in registers.
 *
 * <p>The lane-partial form this replaces for depthwise layers ran MobileNetV2's at 1.6-4
 * GFLOP/s (Zen 5, batch 128, docs/training.md): its vectors ran along the output channels'
 * rows of a GEMM whose rows are single channels.
 */
public final class DepthwiseWeightGradient {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private DepthwiseWeightGradient() {}

    /** Whether this form computes {@code g}: one input channel per group, undilated. */
    public static boolean applies(ConvGeometry g) {
        return g.groups() == g.inC() && g.groups() > 1 && g.dilationH() == 1 && g.dilationW() == 1;
    }

    /** dw ([outC, 1, kH, kW]) += the weight gradient of {@code batch} samples of x ([inC, inH, inW] each) and dy. */
    public static void accumulate(float[] x, float[] dy, int batch, ConvGeometry g, float[] dw) {
        if (!applies(g)) throw new IllegalArgumentException("the depthwise weight gradient does not compute " + g);
        Layout l = new Layout(g);
        int outC = g.outC();
        int tasks = Workers.count(outC);
        Workers.range(tasks, t -> {
            float[] phases = new float[l.phaseFloats * g.strideH() * g.strideW()];
            float[] dyp = new float[l.rows * l.width + L];
            int first = outC * t / tasks;
            int last = outC * (t + 1) / tasks;
            // Per channel, its taps' sums as vectors; samples outside, so that a sample's planes of these channels stream in order.
            float[] sums = new float[(last - first) * l.taps * L];
            for (int n = 0; n < batch; n++) {
                for (int o = first; o < last; o++) {
                    int channel = o / (outC / g.inC());
                    l.phases(x, (n * g.inC() + channel) * g.inH() * g.inW(), phases);
                    l.onRows(dy, (n * outC + o) * l.outPixels, dyp);
                    int at = (o - first) * l.taps * L;
                    if (l.taps == 9) {
                        nineTaps(dyp, phases, l.offsets, l.rows * l.width, sums, at);
                        continue;
                    }
                    for (int tap = 0; tap < l.taps; tap++) {
                        FloatVector s = FloatVector.fromArray(S, sums, at + tap * L);
                        dot(dyp, phases, l.offsets[tap], l.rows * l.width, s).intoArray(sums, at + tap * L);
                    }
                }
            }
            for (int o = first; o < last; o++) {
                for (int tap = 0; tap < l.taps; tap++) {
                    dw[o * l.taps + tap] += FloatVector.fromArray(S, sums, ((o - first) * l.taps + tap) * L).reduceLanes(VectorOperators.ADD);
                }
            }
        });
    }

    /**
     * A 3x3 kernel's nine taps in one pass: each vector of dy loaded once against the nine
     * shifted runs of the phases, nine sums in registers ({@code sums}: nine vectors, added to).
     */
    private static void nineTaps(float[] a, float[] b, int[] off, int n, float[] sums, int at) {
        FloatVector s0 = FloatVector.fromArray(S, sums, at), s1 = FloatVector.fromArray(S, sums, at + L), s2 = FloatVector.fromArray(S, sums, at + 2 * L);
        FloatVector s3 = FloatVector.fromArray(S, sums, at + 3 * L), s4 = FloatVector.fromArray(S, sums, at + 4 * L);
        FloatVector s5 = FloatVector.fromArray(S, sums, at + 5 * L), s6 = FloatVector.fromArray(S, sums, at + 6 * L);
        FloatVector s7 = FloatVector.fromArray(S, sums, at + 7 * L), s8 = FloatVector.fromArray(S, sums, at + 8 * L);
        int o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5], o6 = off[6], o7 = off[7], o8 = off[8];
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector d = FloatVector.fromArray(S, a, i);
            s0 = d.fma(FloatVector.fromArray(S, b, o0 + i), s0);
            s1 = d.fma(FloatVector.fromArray(S, b, o1 + i), s1);
            s2 = d.fma(FloatVector.fromArray(S, b, o2 + i), s2);
            s3 = d.fma(FloatVector.fromArray(S, b, o3 + i), s3);
            s4 = d.fma(FloatVector.fromArray(S, b, o4 + i), s4);
            s5 = d.fma(FloatVector.fromArray(S, b, o5 + i), s5);
            s6 = d.fma(FloatVector.fromArray(S, b, o6 + i), s6);
            s7 = d.fma(FloatVector.fromArray(S, b, o7 + i), s7);
            s8 = d.fma(FloatVector.fromArray(S, b, o8 + i), s8);
        }
        if (i < n) {
            // dy past its end reads as zero (the run is padded by a vector), so the tail needs no mask.
            FloatVector d = FloatVector.fromArray(S, a, i, S.indexInRange(i, n));
            s0 = d.fma(FloatVector.fromArray(S, b, o0 + i), s0);
            s1 = d.fma(FloatVector.fromArray(S, b, o1 + i), s1);
            s2 = d.fma(FloatVector.fromArray(S, b, o2 + i), s2);
            s3 = d.fma(FloatVector.fromArray(S, b, o3 + i), s3);
            s4 = d.fma(FloatVector.fromArray(S, b, o4 + i), s4);
            s5 = d.fma(FloatVector.fromArray(S, b, o5 + i), s5);
            s6 = d.fma(FloatVector.fromArray(S, b, o6 + i), s6);
            s7 = d.fma(FloatVector.fromArray(S, b, o7 + i), s7);
            s8 = d.fma(FloatVector.fromArray(S, b, o8 + i), s8);
        }
        s0.intoArray(sums, at);
        s1.intoArray(sums, at + L);
        s2.intoArray(sums, at + 2 * L);
        s3.intoArray(sums, at + 3 * L);
        s4.intoArray(sums, at + 4 * L);
        s5.intoArray(sums, at + 5 * L);
        s6.intoArray(sums, at + 6 * L);
        s7.intoArray(sums, at + 7 * L);
        s8.intoArray(sums, at + 8 * L);
    }

    /** acc plus a[i] * b[offset + i] for i below n, lane by lane. */
    private static FloatVector dot(float[] a, float[] b, int offset, int n, FloatVector acc) {
        int i = 0;
        for (; i <= n - L; i += L) acc = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, offset + i), acc);
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            acc = FloatVector.fromArray(S, a, i, m).fma(FloatVector.fromArray(S, b, offset + i, m), acc);
        }
        return acc;
    }

    /** The phase planes' shape: stride phases of the padded input, each {@code width} wide, and dy's rows on that width. */
    private static final class Layout {
        final ConvGeometry g;
        final int taps;
        final int outPixels;
        /** dy's rows, and the phases' rows the taps reach past them. */
        final int rows;
        final int width;
        final int phaseRows;
        final int phaseFloats;
        /** Where each tap's run starts in the phases, in kernel order. */
        final int[] offsets;

        Layout(ConvGeometry g) {
            this.g = g;
            this.taps = g.kernelH() * g.kernelW();
            this.outPixels = g.outH() * g.outW();
            this.rows = g.outH();
            this.width = g.outW() + (g.kernelW() - 1) / g.strideW();
            // One row more than the taps reach: a masked tail's lanes stay inside the plane.
            this.phaseRows = g.outH() + (g.kernelH() - 1) / g.strideH() + 1;
            // Rounded up to whole vectors plus one, so that the last tap's unmasked tail stays in the array.
            this.phaseFloats = phaseRows * width + L;
            this.offsets = new int[taps];
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++) {
                    int phase = (ky % g.strideH()) * g.strideW() + kx % g.strideW();
                    offsets[ky * g.kernelW() + kx] = phase * phaseFloats + (ky / g.strideH()) * width + kx / g.strideW();
                }
            }
        }

        /**
         * Input plane at {@code from} as its stride phases: phase (a, b) holds padded pixel
         * (s*i + a, s*j + b) at [i][j]. Only the input's own pixels are written: the padding's
         * places are the same from plane to plane and stay zero from the array's allocation.
         */
        void phases(float[] x, int from, float[] out) {
            int sh = g.strideH(), sw = g.strideW();
            if (sh == 1 && sw == 1) {
                for (int y = 0; y < g.inH(); y++) copy(x, from + y * g.inW(), out, (y + g.padTop()) * width + g.padLeft(), g.inW());
                return;
            }
            for (int y = 0; y < g.inH(); y++) {
                int py = y + g.padTop();
                // Rows and columns past the last tap's reach (stride 2 over an even edge) are read by no tap.
                if (py / sh >= phaseRows) break;
                int row = ((py % sh) * sw) * phaseFloats + (py / sh) * width;
                int src = from + y * g.inW();
                for (int b = 0; b < sw; b++) {
                    // Column phase b: the input columns xx with (xx + padLeft) % sw == b, at j = (xx + padLeft) / sw.
                    int first = Math.floorMod(b - g.padLeft(), sw);
                    int dst = row + b * phaseFloats;
                    for (int xx = first, j = (first + g.padLeft()) / sw; xx < g.inW() && j < width; xx += sw, j++) out[dst + j] = x[src + xx];
                }
            }
        }

        /** dy's plane at {@code from} on rows of {@code width}; the columns past its own stay zero from the allocation. */
        void onRows(float[] dy, int from, float[] out) {
            int outW = g.outW();
            for (int r = 0; r < rows; r++) copy(dy, from + r * outW, out, r * width, outW);
        }
    }

    /** n floats from src to dst by vectors, the last one masked: rows are short, and arraycopy's call cost as much as the copy. */
    private static void copy(float[] src, int from, float[] dst, int to, int n) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(S, src, from + i).intoArray(dst, to + i);
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, src, from + i, m).intoArray(dst, to + i, m);
        }
    }
}
