package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two loops every GEMM-shaped kernel here is built from, on the Java Vector API. The
 * vectors never leave these methods, so they stay in registers (a FloatVector passed to a
 * method the JIT does not inline would be boxed).
 */
public final class VectorOps {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorOps() {}

    /** y[yOff..yOff+n) += a * x[xOff..xOff+n). */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, a);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += a * x[xOff + i];
    }

    /** sum a[aOff+i] * b[bOff+i] for i < n. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        // Lanes are added in a fixed order: reduceLanes may order them differently once the JIT
        // intrinsifies it, which made results depend on warm-up (and resumed training differ).
        float[] lanes = new float[S.length()];
        acc.intoArray(lanes, 0);
        float sum = 0;
        for (float lane : lanes) sum += lane;
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }
}
