package io.cnnc.kernels.cpu;

import io.cnnc.kernels.PoolGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Average pooling, same arguments and divisor rule as
 * {@link io.cnnc.kernels.reference.AvgPoolReference} (padding counts, ceil-mode overhang does
 * not). Separable like {@link FastMaxPool}: a vertical sum of kernelH rows into a zero-padded
 * row buffer, a horizontal sum of kernelW neighbours at stride 1, every s-th kept and divided.
 * Sums are in float (the reference's are in double): at most kernelH*kernelW terms, so the
 * difference is a few float ulps of the window's absolute sum.
 */
public final class FastAvgPool {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MIN_TASK_FLOATS = 16_384;

    private FastAvgPool() {}

    public static void forward(float[] x, int batch, PoolGeometry g, float[] y, Parallel p) {
        int planes = batch * g.channels();
        int minPlanes = Math.max(1, MIN_TASK_FLOATS / (g.inH() * g.inW()));
        float[] widths = windowWidths(g);
        Chunks.forRanges(p, planes, minPlanes, 1, (from, to) -> planes(x, g, widths, y, from, to));
    }

    /** Columns of each output's window inside the padded input: kernelW except for ceil-mode overhang. */
    private static float[] windowWidths(PoolGeometry g) {
        float[] w = new float[g.outW()];
        for (int ox = 0; ox < w.length; ox++) {
            int x0 = ox * g.strideW() - g.padLeft();
            w[ox] = Math.min(x0 + g.kernelW(), g.inW() + g.padRight()) - x0;
        }
        return w;
    }

    private static void planes(float[] x, PoolGeometry g, float[] widths, float[] y, int from, int to) {
        PoolRows rows = new PoolRows(g);
        float[] row = rows.row;
        float[] h = rows.h;
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
                float height = Math.min(y0 + kH, inH + g.padBottom()) - y0;
                PoolRows.column(x, xb, inW, iy0, iy1, row, padL, false);
                rowSum(row, kW, rows.hw, h);
                divide(h, sW, widths, height, y, yb + oy * outW, outW);
            }
        }
    }


    /** h[j] = sum of row[j .. j+kW) for j < n. */
    private static void rowSum(float[] row, int kW, int n, float[] h) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += L) {
            FloatVector v = FloatVector.fromArray(S, row, j);
            for (int kx = 1; kx < kW; kx++) v = v.add(FloatVector.fromArray(S, row, j + kx));
            v.intoArray(h, j);
        }
        if (j < n) {
            // row and h have slack for a whole last vector (PoolRows); what lies past n is never read.
            FloatVector v = FloatVector.fromArray(S, row, j);
            for (int kx = 1; kx < kW; kx++) v = v.add(FloatVector.fromArray(S, row, j + kx));
            v.intoArray(h, j);
        }
    }

    /** y[d + ox] = h[ox * s] / window area; stride 1 and 2 as vectors (the last one under a mask). */
    private static void divide(float[] h, int sW, float[] widths, float height, float[] y, int d, int outW) {
        if (sW <= 2) {
            for (int ox = 0; ox < outW; ox += L) {
                VectorMask<Float> m = S.indexInRange(ox, outW);
                FloatVector sum = sW == 1 ? FloatVector.fromArray(S, h, ox)
                        : FloatVector.fromArray(S, h, 2 * ox).rearrange(PoolRows.EVENS, FloatVector.fromArray(S, h, 2 * ox + L));
                FloatVector area = FloatVector.fromArray(S, widths, ox, m).mul(height);
                sum.div(area, m).intoArray(y, d + ox, m);
            }
            return;
        }
        for (int ox = 0; ox < outW; ox++) y[d + ox] = h[ox * sW] / (height * widths[ox]);
    }
}
