package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Mean or max over all positions of each channel, same arguments as
 * {@link io.cnnc.kernels.reference.GlobalPoolReference} plus a {@link Parallel}. The mean sums
 * in float over L lanes, then adds the lanes in a fixed order ({@link LaneSum}); each lane sums
 * about spatial/L terms, so the error is a few ulps of the mean absolute value for any layer size.
 */
public final class FastGlobalPool {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MIN_TASK_FLOATS = 32_768;

    private FastGlobalPool() {}

    public static void average(float[] x, int batch, int channels, int spatial, float[] y, Parallel p) {
        int minPlanes = Math.max(1, MIN_TASK_FLOATS / spatial);
        Chunks.forRanges(p, batch * channels, minPlanes, 1, (from, to) -> {
            for (int nc = from; nc < to; nc++) y[nc] = sum(x, nc * spatial, spatial) / spatial;
        });
    }

    public static void max(float[] x, int batch, int channels, int spatial, float[] y, Parallel p) {
        int minPlanes = Math.max(1, MIN_TASK_FLOATS / spatial);
        Chunks.forRanges(p, batch * channels, minPlanes, 1, (from, to) -> {
            for (int nc = from; nc < to; nc++) y[nc] = max(x, nc * spatial, spatial);
        });
    }

    /** The last partial vector is a masked load (zeros past n): no scalar tail, which costs as much as the body at 7x7. */
    private static float sum(float[] x, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) acc = acc.add(FloatVector.fromArray(S, x, off + i));
        if (i < n) acc = acc.add(FloatVector.fromArray(S, x, off + i, S.indexInRange(i, n)));
        return LaneSum.sum(acc);
    }

    /** Max is exact in any order, so reduceLanes is safe here; MAX propagates NaN as the reference does. */
    private static float max(float[] x, int off, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector acc = FloatVector.fromArray(S, x, off);
            for (i = L; i <= n - L; i += L) acc = acc.max(FloatVector.fromArray(S, x, off + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[off + i]);
        return m;
    }
}
