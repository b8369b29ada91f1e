package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A strided depthwise convolution's data gradient: each tap adds its weight times dy's plane
 * into the input's stride phases ({@link DepthwisePhases}) as one multiply-add of flat runs,
 * and the phases then go back to dx's plane. PhaseDataGradient's four stride-1 convolutions of
 * a few taps each and their scatter took MobileNetV2's three strided depthwise layers 32-45 ms
 * a step each at batch 128 (Zen 5, docs/training.md).
 */
public final class DepthwiseDataGradient {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private DepthwiseDataGradient() {}

    /** Whether this kernel computes {@code g}'s data gradient: the layers {@link DepthwiseWeightGradient} takes. */
    public static boolean applies(ConvGeometry g) {
        return DepthwiseWeightGradient.applies(g);
    }

    /** Writes dx ([inC, inH, inW] each) for {@code batch} samples of dy and the weights w ([outC, 1, kH, kW]). */
    public static void compute(float[] dy, float[] w, int batch, ConvGeometry g, float[] dx) {
        if (!applies(g)) throw new IllegalArgumentException("the depthwise data gradient does not compute " + g);
        DepthwisePhases l = new DepthwisePhases(g);
        int inC = g.inC();
        int multiplier = g.outC() / inC;
        int plane = g.inH() * g.inW();
        int tasks = Workers.count(inC);
        Workers.range(tasks, t -> {
            float[] phases = l.newPhases();
            float[] dyp = l.newRows();
            int first = inC * t / tasks;
            int last = inC * (t + 1) / tasks;
            for (int n = 0; n < batch; n++) {
                for (int c = first; c < last; c++) {
                    java.util.Arrays.fill(phases, 0f);
                    for (int o = c * multiplier; o < (c + 1) * multiplier; o++) {
                        l.onRows(dy, (n * g.outC() + o) * l.outPixels, dyp);
                        for (int tap = 0; tap < l.taps; tap++) axpy(w[o * l.taps + tap], dyp, phases, l.offsets[tap], l.rows * l.width);
                    }
                    l.fromPhases(phases, dx, (n * inC + c) * plane);
                }
            }
        });
    }

    /** b[offset + i] += a * x[i] for i below n; x past n is zero (dy's rows are padded by a vector), so the tail adds nothing. */
    private static void axpy(float a, float[] x, float[] b, int offset, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        for (int i = 0; i < n; i += L) {
            FloatVector.fromArray(S, x, i).fma(va, FloatVector.fromArray(S, b, offset + i)).intoArray(b, offset + i);
        }
    }
}
