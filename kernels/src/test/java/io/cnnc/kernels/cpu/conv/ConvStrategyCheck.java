package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.reference.ActivationReference;
import io.cnnc.kernels.reference.ConvReference;
import java.util.Random;

/**
 * Runs a strategy on random data and compares it with the reference convolution followed by
 * the epilogue applied by hand (bias, residual, activation). Shared by every strategy's test so
 * they are all held to the same reference.
 */
public final class ConvStrategyCheck {

    private ConvStrategyCheck() {}

    /** What one comparison found. */
    public record Result(double maxAbsError, double maxAbsReference, float[] output) {
        /** Largest error relative to the largest reference magnitude. */
        public double relativeError() {
            return maxAbsError / Math.max(maxAbsReference, 1e-30);
        }
    }

    /** A geometry with symmetric padding and no dilation. */
    public static ConvGeometry geometry(int inC, int hw, int outC, int k, int stride, int pad, int groups) {
        return new ConvGeometry(inC, hw, hw, outC, k, k, stride, stride, pad, pad, pad, pad, 1, 1, groups);
    }

    public static Result run(ConvStrategy strategy, ConvGeometry g, int batch, boolean bias, boolean residual,
                             ActivationKind activation, int threads, long seed) {
        Random r = new Random(seed);
        float[] x = uniform(r, batch * g.inC() * g.inH() * g.inW());
        float[] w = uniform(r, g.weightCount());
        float[] b = bias ? uniform(r, g.outC()) : null;
        int outSize = batch * g.outC() * g.outH() * g.outW();
        float[] res = residual ? uniform(r, outSize) : null;
        double alpha = activation == ActivationKind.LEAKY_RELU ? 0.1 : 0;

        float[] want = new float[outSize];
        ConvReference.forward(x, batch, g, w, b, want);
        for (int i = 0; i < outSize; i++) {
            double v = want[i] + (residual ? res[i] : 0);
            want[i] = (float) ActivationReference.apply(activation, alpha, v);
        }

        float[] y = new float[outSize];
        java.util.Arrays.fill(y, Float.NaN);
        ConvKernel kernel = strategy.prepare(g, w.clone(), Epilogue.of(b, residual, activation, alpha), Parallel.of(threads));
        forward(strategy.blocked(), kernel, g, batch, x, res, y);
        // Twice: a kernel that leaves state behind (scratch not cleared) shows up on the second call.
        java.util.Arrays.fill(y, Float.NaN);
        forward(strategy.blocked(), kernel, g, batch, x, res, y);

        double err = 0, ref = 0;
        for (int i = 0; i < outSize; i++) {
            double e = Math.abs((double) y[i] - want[i]);
            if (Double.isNaN(e)) e = Double.POSITIVE_INFINITY;
            err = Math.max(err, e);
            ref = Math.max(ref, Math.abs(want[i]));
        }
        return new Result(err, ref, y);
    }

    /** Blocked kernels get their input (when its channels fill blocks) and residual reordered to NCHW16c and their output back. */
    private static void forward(boolean blocked, ConvKernel kernel, ConvGeometry g, int batch, float[] x, float[] res, float[] y) {
        if (!blocked) {
            kernel.forward(x, res, y, batch);
            return;
        }
        int outPlane = g.outH() * g.outW();
        float[] bx = x;
        if (Nchwc.blocks(g.inC())) {
            bx = new float[x.length];
            Nchwc.toBlocked(x, bx, batch, g.inC(), g.inH() * g.inW());
        }
        float[] bres = null;
        if (res != null) {
            bres = new float[res.length];
            Nchwc.toBlocked(res, bres, batch, g.outC(), outPlane);
        }
        float[] by = new float[y.length];
        java.util.Arrays.fill(by, Float.NaN);
        kernel.forward(bx, bres, by, batch);
        Nchwc.toPlanar(by, y, batch, g.outC(), outPlane);
    }

    /**
     * The checks every strategy's test makes for one geometry: no epilogue; bias, residual and
     * ReLU (vectorized in most kernels) on 2 threads; bias and {@code other} (an activation that
     * takes the generic path); and 1 vs 2 threads bit for bit.
     */
    public static void assertMatchesWithEveryEpilogue(ConvStrategy s, ConvGeometry g, ActivationKind other, double tolerance) {
        long seed = g.hashCode();
        org.assertj.core.api.Assertions.assertThat(s.computes(g)).as("%s computes %s", s.name(), g).isTrue();
        Result plain = run(s, g, 2, false, false, ActivationKind.IDENTITY, 1, seed);
        org.assertj.core.api.Assertions.assertThat(plain.relativeError()).as("plain %s", g).isLessThan(tolerance);
        Result fused = run(s, g, 2, true, true, ActivationKind.RELU, 2, seed);
        org.assertj.core.api.Assertions.assertThat(fused.relativeError()).as("bias+residual+relu %s", g).isLessThan(tolerance);
        Result generic = run(s, g, 1, true, true, other, 2, seed);
        org.assertj.core.api.Assertions.assertThat(generic.relativeError()).as("bias+residual+%s %s", other, g).isLessThan(tolerance);
        Result serial = run(s, g, 2, true, true, ActivationKind.RELU, 1, seed);
        org.assertj.core.api.Assertions.assertThat(fused.output()).as("1 and 2 threads agree exactly").containsExactly(serial.output());
    }

    private static float[] uniform(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextFloat() * 2 - 1;
        return v;
    }
}
