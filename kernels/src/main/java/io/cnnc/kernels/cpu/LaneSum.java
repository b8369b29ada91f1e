package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sum of a vector's lanes in a fixed tree order (halves, quarters, ...), built from rotations
 * and lanewise adds, which round the same interpreted or compiled. reduceLanes(ADD) leaves its
 * order to the implementation, and the JIT's differs from the interpreter's, so a result could
 * change with warm-up.
 */
final class LaneSum {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorShuffle<Float> R8 = rotate(8);
    private static final VectorShuffle<Float> R4 = rotate(4);
    private static final VectorShuffle<Float> R2 = rotate(2);
    private static final VectorShuffle<Float> R1 = rotate(1);

    private LaneSum() {}

    private static VectorShuffle<Float> rotate(int by) {
        return VectorShuffle.fromOp(S, i -> (i + by) % L);
    }

    /** Small enough to be inlined, so the vector argument stays in a register. */
    static float sum(FloatVector v) {
        if (L >= 16) v = v.add(v.rearrange(R8));
        if (L >= 8) v = v.add(v.rearrange(R4));
        if (L >= 4) v = v.add(v.rearrange(R2));
        if (L >= 2) v = v.add(v.rearrange(R1));
        return v.lane(0);
    }
}
