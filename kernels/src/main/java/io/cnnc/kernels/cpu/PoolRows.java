package io.cnnc.kernels.cpu;

import io.cnnc.kernels.PoolGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Scratch of the separable pooling kernels for one task, and the stride-2 lane picking they
 * share. {@code row} is one padded input row: column {@code padLeft + i} holds input column i,
 * and it is wide enough for the last window even when ceil mode lets that window hang past the
 * right padding. {@code h} holds the horizontal reduction at every window start 0..hw-1
 * (stride 1), of which stride s keeps every s-th. Both have a vector's worth of slack past
 * what is needed, so the last partial vector can be loaded whole and only its store masked:
 * scalar tails cost more than the vector body for layers as narrow as 7 or 14.
 */
final class PoolRows {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Lane i takes lane 2i of two consecutive vectors (negative indexes select from the second):
     * h[2j], h[2j+2], ... in two loads and a rearrange instead of L scalar reads. Callers write the
     * rearrange out themselves: a helper returning the vector was not always inlined ("callee uses
     * too much stack") and then boxed every vector.
     */
    static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(S, i -> 2 * i < L ? 2 * i : 2 * i - 2 * L);
    /** The odd lanes of a, then those of b. */
    static final VectorShuffle<Float> ODDS = VectorShuffle.fromOp(S, i -> 2 * i + 1 < L ? 2 * i + 1 : 2 * i + 1 - 2 * L);

    final float[] row;
    final float[] h;
    /** Window starts computed at stride 1: (outW - 1) * strideW + 1. */
    final int hw;

    PoolRows(PoolGeometry g) {
        hw = (g.outW() - 1) * g.strideW() + 1;
        int hVectors = (hw + L - 1) / L * L;
        // The stride-2 3-wide max reads two vectors from column 2*ox + 2 for the last vector of outputs.
        row = new float[Math.max(Math.max(g.padLeft() + g.inW(), hVectors + g.kernelW() - 1), 2 * ((g.outW() + L - 1) / L * L) + 2 * L + 2)];
        h = new float[Math.max(hVectors, 2 * g.outW() + 2 * L)];
    }

    /**
     * row[padL + i] = max (or sum) over input rows [iy0, iy1) of column i, or -inf (0) when the
     * window misses the input. The reduction is a boolean, not a VectorOperators argument:
     * lanewise(op, ...) is intrinsified only when the JIT sees op as a constant, which holds only
     * if this method is inlined into its caller, and a compiled-alone copy is far slower
     * (docs/kernels.md, "Pooling").
     */
    static void column(float[] x, int xb, int inW, int iy0, int iy1, float[] row, int padL, boolean max) {
        if (iy0 >= iy1) {
            java.util.Arrays.fill(row, padL, padL + inW, max ? Float.NEGATIVE_INFINITY : 0f);
            return;
        }
        int first = xb + iy0 * inW;
        int i = 0;
        if (iy1 - iy0 == 3 && max) {
            // The common 3-row max window in straight-line code: the general loop's variable
            // trip count cost a third more (docs/kernels.md, "Pooling").
            int second = first + inW, third = second + inW;
            for (int bound = S.loopBound(inW); i < bound; i += L) {
                FloatVector.fromArray(S, x, first + i).max(FloatVector.fromArray(S, x, second + i)).max(FloatVector.fromArray(S, x, third + i))
                        .intoArray(row, padL + i);
            }
        }
        for (int bound = S.loopBound(inW); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, first + i);
            for (int iy = iy0 + 1; iy < iy1; iy++) {
                FloatVector w = FloatVector.fromArray(S, x, xb + iy * inW + i);
                v = max ? v.max(w) : v.add(w);
            }
            v.intoArray(row, padL + i);
        }
        if (i < inW) {
            VectorMask<Float> m = S.indexInRange(i, inW);
            FloatVector v = FloatVector.fromArray(S, x, first + i, m);
            for (int iy = iy0 + 1; iy < iy1; iy++) {
                FloatVector w = FloatVector.fromArray(S, x, xb + iy * inW + i, m);
                v = max ? v.max(w) : v.add(w);
            }
            v.intoArray(row, padL + i, m);
        }
    }
}
