package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Workers;
import jdk.incubator.vector.FloatVector;
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
        DepthwisePhases l = new DepthwisePhases(g);
        int outC = g.outC();
        int tasks = Workers.count(outC);
        Workers.range(tasks, t -> {
            float[] phases = l.newPhases();
            float[] dyp = l.newRows();
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
        // Whole vectors past n: dy's run is padded by a vector of zeros, and the phases by a vector past every tap's run.
        for (int i = 0; i < n; i += L) {
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

    /** acc plus a[i] * b[offset + i] for i below n, lane by lane, in whole vectors past n (zeros in a). */
    private static FloatVector dot(float[] a, float[] b, int offset, int n, FloatVector acc) {
        for (int i = 0; i < n; i += L) acc = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, offset + i), acc);
        return acc;
    }
}
