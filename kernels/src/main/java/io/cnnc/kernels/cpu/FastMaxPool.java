package io.cnnc.kernels.cpu;

import io.cnnc.kernels.PoolGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling, same arguments and results as {@link io.cnnc.kernels.reference.MaxPoolReference}
 * (max is exact, so the results are identical, NaN included: the Vector API's MAX propagates
 * NaN like Math.max). The window is separable: each output row first takes the max over its
 * kernelH input rows into a row buffer (contiguous, vectorized), then the max over kernelW
 * neighbours along that buffer at stride 1 (contiguous again); stride 2 and up keep every
 * s-th of those (stride 2 by a two-vector rearrange), which costs a few extra vector ops but no
 * gathers. The buffer's padding
 * columns hold -infinity, so windows at the border need no bounds checks.
 */
public final class FastMaxPool {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Input floats per task at least: below this a second core costs more than it saves. */
    private static final int MIN_TASK_FLOATS = 16_384;

    private FastMaxPool() {}

    public static void forward(float[] x, int batch, PoolGeometry g, float[] y, Parallel p) {
        int planes = batch * g.channels();
        int minPlanes = Math.max(1, MIN_TASK_FLOATS / (g.inH() * g.inW()));
        Chunks.forRanges(p, planes, minPlanes, 1, (from, to) -> planes(x, g, y, from, to));
    }

    private static void planes(float[] x, PoolGeometry g, float[] y, int from, int to) {
        PoolRows rows = new PoolRows(g);
        float[] row = rows.row;
        float[] h = rows.h;
        Arrays.fill(row, Float.NEGATIVE_INFINITY);
        int inH = g.inH(), inW = g.inW(), outH = g.outH(), outW = g.outW();
        int kH = g.kernelH(), kW = g.kernelW(), sW = g.strideW();
        int padL = g.padLeft();
        for (int plane = from; plane < to; plane++) {
            int xb = plane * inH * inW;
            int yb = plane * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                int y0 = oy * g.strideH() - g.padTop();
                int iy0 = Math.max(0, y0);
                int iy1 = Math.min(y0 + kH, inH);
                PoolRows.column(x, xb, inW, iy0, iy1, row, padL, true);
                if (sW == 2 && kW == 3) {
                    evensOddsMax(row, y, yb + oy * outW, outW);
                    continue;
                }
                float[] dst = sW == 1 ? y : h;
                int dstOff = sW == 1 ? yb + oy * outW : 0;
                rowMax(row, kW, rows.hw, dst, dstOff);
                if (sW > 1) pick(h, sW, y, yb + oy * outW, outW);
            }
        }
    }

    /**
     * y[d + ox] = max(row[2ox], row[2ox+1], row[2ox+2]) for the common 3-wide stride-2 window
     * (ResNet's stem pool): the even columns, the odd ones and the evens one further, each two
     * loads and a two-vector shuffle, instead of a max at every column and a pass picking every
     * other one, which did the work twice (docs/kernels.md, "Pooling").
     */
    private static void evensOddsMax(float[] row, float[] y, int d, int outW) {
        int ox = 0;
        for (; ox < outW; ox += L) {
            int c = 2 * ox;
            FloatVector a = FloatVector.fromArray(S, row, c), b = FloatVector.fromArray(S, row, c + L);
            FloatVector a2 = FloatVector.fromArray(S, row, c + 2), b2 = FloatVector.fromArray(S, row, c + 2 + L);
            FloatVector v = a.rearrange(PoolRows.EVENS, b).max(a.rearrange(PoolRows.ODDS, b)).max(a2.rearrange(PoolRows.EVENS, b2));
            // Only the last vector is stored masked: a masked store costs several plain ones.
            if (ox + L <= outW) v.intoArray(y, d + ox);
            else v.intoArray(y, d + ox, S.indexInRange(ox, outW));
        }
    }

    /** y[d + ox] = h[ox * s]: vectors for stride 2 (the common case), scalar reads otherwise. */
    private static void pick(float[] h, int s, float[] y, int d, int outW) {
        int ox = 0;
        if (s == 2) {
            // Only the last vector is stored masked: a masked store costs several plain ones.
            for (; ox + L <= outW; ox += L) {
                FloatVector.fromArray(S, h, 2 * ox).rearrange(PoolRows.EVENS, FloatVector.fromArray(S, h, 2 * ox + L)).intoArray(y, d + ox);
            }
            if (ox < outW) {
                FloatVector v = FloatVector.fromArray(S, h, 2 * ox).rearrange(PoolRows.EVENS, FloatVector.fromArray(S, h, 2 * ox + L));
                v.intoArray(y, d + ox, S.indexInRange(ox, outW));
            }
            return;
        }
        for (; ox < outW; ox++) y[d + ox] = h[ox * s];
    }


    /** dst[dOff + j] = max of row[j .. j+kW) for j < n: every window start at stride 1. */
    private static void rowMax(float[] row, int kW, int n, float[] dst, int dOff) {
        int j = 0;
        if (kW == 3) {
            // Straight-line for the common 3-wide window, as PoolRows.column does for 3 rows.
            for (int bound = S.loopBound(n); j < bound; j += L) {
                FloatVector.fromArray(S, row, j).max(FloatVector.fromArray(S, row, j + 1)).max(FloatVector.fromArray(S, row, j + 2))
                        .intoArray(dst, dOff + j);
            }
        }
        for (int bound = S.loopBound(n); j < bound; j += L) {
            FloatVector v = FloatVector.fromArray(S, row, j);
            for (int kx = 1; kx < kW; kx++) v = v.max(FloatVector.fromArray(S, row, j + kx));
            v.intoArray(dst, dOff + j);
        }
        if (j < n) {
            // row has slack past n + kW - 1 (PoolRows), so only the store needs the mask.
            FloatVector v = FloatVector.fromArray(S, row, j);
            for (int kx = 1; kx < kW; kx++) v = v.max(FloatVector.fromArray(S, row, j + kx));
            v.intoArray(dst, dOff + j, S.indexInRange(j, n));
        }
    }
}
