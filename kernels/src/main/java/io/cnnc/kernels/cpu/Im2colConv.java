package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ConvGeometry;
import java.util.stream.IntStream;

/**
 * Convolution forward and backward as im2col + matrix products, samples split across cores.
 * Each worker owns its column buffer and its own weight-gradient accumulator, summed at the end,
 * so no two threads write the same memory.
 */
public final class Im2colConv {

    private Im2colConv() {}

    public static void forward(float[] x, int batch, ConvGeometry g, float[] w, float[] bias, float[] y) {
        int k = Im2col.rows(g);
        int hw = g.outH() * g.outW();
        int outPerGroup = g.outC() / g.groups();
        int inSize = g.inC() * g.inH() * g.inW();
        int outSize = g.outC() * hw;
        Workers.forEach(batch, () -> new float[k * hw], (n, col) -> {
            java.util.Arrays.fill(y, n * outSize, (n + 1) * outSize, 0f);
            for (int grp = 0; grp < g.groups(); grp++) {
                Im2col.im2col(x, n * inSize, g, grp, col);
                Gemm.nn(outPerGroup, hw, k, w, grp * outPerGroup * k, col, 0, y, n * outSize + grp * outPerGroup * hw);
            }
            if (bias != null) {
                for (int oc = 0; oc < g.outC(); oc++) {
                    int base = n * outSize + oc * hw;
                    for (int i = 0; i < hw; i++) y[base + i] += bias[oc];
                }
            }
        });
    }

    /**
     * Accumulates dW and db (when non-null) and writes dx (when non-null) from dy.
     * dW and db are added to, as gradients accumulate across uses.
     *
     * <p>The weight gradient, dW = sum over samples of dy * col^T, runs dy's rows against the
     * im2col rows along the pixels ({@link LanePartialProducts}): nothing is transposed, and
     * each worker keeps lane-partial sums for all its samples, added up once at the end.
     */
    public static void backward(float[] x, float[] dy, int batch, ConvGeometry g, float[] w, float[] dx, float[] dw, float[] db) {
        int k = Im2col.rows(g);
        int hw = g.outH() * g.outW();
        int outPerGroup = g.outC() / g.groups();
        int inSize = g.inC() * g.inH() * g.inW();
        int outSize = g.outC() * hw;
        int accSize = LanePartialProducts.size(outPerGroup, k);
        int workers = Workers.count(batch);
        float[][] partial = new float[workers][dw == null ? 0 : g.groups() * accSize];
        IntStream.range(0, workers).parallel().forEach(t -> {
            float[] col = new float[k * hw];
            float[] dcol = dx == null ? null : new float[k * hw];
            for (int n = t; n < batch; n += workers) {
                if (dx != null) java.util.Arrays.fill(dx, n * inSize, (n + 1) * inSize, 0f);
                for (int grp = 0; grp < g.groups(); grp++) {
                    int dyOff = n * outSize + grp * outPerGroup * hw;
                    int wOff = grp * outPerGroup * k;
                    if (dw != null) {
                        Im2col.im2col(x, n * inSize, g, grp, col);
                        LanePartialProducts.accumulate(outPerGroup, k, hw, dy, dyOff, col, 0, partial[t], grp * accSize);
                    }
                    if (dx != null) {
                        java.util.Arrays.fill(dcol, 0f);
                        Gemm.tn(k, hw, outPerGroup, w, wOff, dy, dyOff, dcol, 0);
                        Im2col.col2im(dcol, g, grp, dx, n * inSize);
                    }
                }
            }
        });
        if (dw != null) {
            for (float[] p : partial) {
                for (int grp = 0; grp < g.groups(); grp++) {
                    LanePartialProducts.reduce(outPerGroup, k, p, grp * accSize, dw, grp * outPerGroup * k);
                }
            }
        }
        if (db != null) {
            for (int n = 0; n < batch; n++) {
                for (int oc = 0; oc < g.outC(); oc++) {
                    double s = 0;
                    int base = n * outSize + oc * hw;
                    for (int i = 0; i < hw; i++) s += dy[base + i];
                    db[oc] += (float) s;
                }
            }
        }
    }
}
