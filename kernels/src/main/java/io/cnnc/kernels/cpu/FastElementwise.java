package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ActivationKind;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Binary elementwise ops: the residual add (activation optionally fused) and the product with
 * the broadcast forms of {@link io.cnnc.kernels.reference.MulReference}. A float sum or product
 * is correctly rounded, so these match the references exactly; only a fused activation adds its
 * own rounding (see {@link FastActivation}).
 */
public final class FastElementwise {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MIN_TASK_FLOATS = 16_384;
    /**
     * The fused add writes this many sums, then activates them while they are still in L1:
     * one pass over memory, with a single vector activation loop instead of one per kind.
     */
    private static final int BLOCK = 2048;

    private FastElementwise() {}

    /** y = a + b over y.length elements, as AddReference. */
    public static void add(float[] a, float[] b, float[] y, Parallel p) {
        add(a, b, y, ActivationKind.IDENTITY, 0, p);
    }

    /** y = act(a + b); alpha is LEAKY_RELU's slope. y may be a or b. */
    public static void add(float[] a, float[] b, float[] y, ActivationKind activation, double alpha, Parallel p) {
        // ReLU, after nearly every residual add, is one max in the add loop itself.
        boolean relu = activation == ActivationKind.RELU;
        Chunks.forRanges(p, y.length, MIN_TASK_FLOATS, BLOCK, (from, to) -> {
            for (int b0 = from; b0 < to; b0 += BLOCK) {
                int n = Math.min(BLOCK, to - b0);
                addRange(a, b, y, b0, n, relu);
                if (!relu && activation != ActivationKind.IDENTITY) FastActivation.range(activation, alpha, y, b0, y, b0, n);
            }
        });
    }

    private static void addRange(float[] a, float[] b, float[] y, int off, int n, boolean relu) {
        int i = off;
        int end = off + n;
        if (relu) {
            for (int bound = off + S.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).max(0f).intoArray(y, i);
            }
            for (; i < end; i++) y[i] = Math.max(a[i] + b[i], 0f);
        } else {
            for (int bound = off + S.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(y, i);
            }
            for (; i < end; i++) y[i] = a[i] + b[i];
        }
    }

    /**
     * y = a * b, as MulReference: with {@code bPerChannel} b is [batch, channels] (one gate per
     * sample and channel, squeeze-and-excitation), else b has a's shape.
     */
    public static void mul(float[] a, float[] b, int batch, int channels, int spatial, boolean bPerChannel, float[] y, Parallel p) {
        int total = batch * channels * spatial;
        if (bPerChannel) {
            // Each (sample, channel) plane is its own "channel" of an affine map with no shift.
            FastChannelAffine.affine(a, 1, batch * channels, spatial, b, null, y, p);
            return;
        }
        Chunks.forRanges(p, total, MIN_TASK_FLOATS, L, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
                FloatVector.fromArray(S, a, i).mul(FloatVector.fromArray(S, b, i)).intoArray(y, i);
            }
            for (; i < to; i++) y[i] = a[i] * b[i];
        });
    }
}
