package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.reference.ActivationReference;

/**
 * Elementwise activations out of place (x and y may be the same array), same arguments as
 * {@link ActivationReference} plus a {@link Parallel}. Each kind's loop is its definition's fast
 * form (Activation.fast): in float on vectors where it has a VectorForm, the last partial vector
 * under a mask, so each element gets the same formula wherever the range split falls. Float
 * instead of the reference's double costs a few ulps (docs/kernels.md lists them per kind); NaN
 * propagates as in the reference.
 */
public final class FastActivation {

    private static final int L = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
    private static final int MIN_TASK_FLOATS = 16_384;

    private FastActivation() {}

    public static void forward(ActivationKind kind, double alpha, float[] x, float[] y, Parallel p) {
        Chunks.forRanges(p, x.length, MIN_TASK_FLOATS, L, (from, to) -> range(kind, alpha, x, from, y, from, to - from));
    }

    /** y[yOff..yOff+n) = f(x[xOff..xOff+n)); the ranges may be the same. */
    public static void range(ActivationKind kind, double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        kind.definition().fast(alpha, x, xOff, y, yOff, n);
    }
}
