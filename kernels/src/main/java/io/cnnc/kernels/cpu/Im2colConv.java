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
     * Pixels (times samples) a weight-gradient product runs over at least: a few hundred keep
     * the lane-partial accumulators in registers long enough to pay for loading and storing
     * them (ResNet-20's 8x8 layers, 64 pixels a sample, took 2.4x the time per multiply of its
     * 32x32 ones when each sample ran alone).
     */
    private static final int PIXELS_PER_PRODUCT = 512;

    /** The workers' lane-partial accumulators. */
    private static final WorkerSums PARTIAL = new WorkerSums();

    /**
     * Accumulates dW and db (when non-null) and writes dx (when non-null) from dy.
     * dW and db are added to, as gradients accumulate across uses.
     *
     * <p>The weight gradient, dW = sum over samples of dy * col^T, runs dy's rows against the
     * im2col rows along the pixels ({@link LanePartialProducts}), several small samples side by
     * side: nothing is transposed, and each worker keeps lane-partial sums for all its samples,
     * added up once at the end.
     */
    public static void backward(float[] x, float[] dy, int batch, ConvGeometry g, float[] w, float[] dx, float[] dw, float[] db) {
        int k = Im2col.rows(g);
        int hw = g.outH() * g.outW();
        int outPerGroup = g.outC() / g.groups();
        int inSize = g.inC() * g.inH() * g.inW();
        int outSize = g.outC() * hw;
        int accSize = LanePartialProducts.size(outPerGroup, k);
        int workers = Workers.count(batch);
        int together = Math.max(1, Math.min(ceilDiv(batch, workers), ceilDiv(PIXELS_PER_PRODUCT, hw)));
        int ld = together * hw;
        float[][] partial = dw == null ? new float[workers][0] : PARTIAL.zeroed(workers, g.groups() * accSize);
        Workers.range(workers, t -> {
            if (dw != null && readsShiftedRows(g)) {
                weightGradientFromShiftedRows(x, dy, batch, g, t, workers, partial[t], accSize);
            } else if (dw != null) {
                float[] cols = new float[k * ld];
                float[] dys = new float[outPerGroup * ld];
                int[] mine = IntStream.iterate(t, n -> n < batch, n -> n + workers).toArray();
                for (int first = 0; first < mine.length; first += together) {
                    int count = Math.min(together, mine.length - first);
                    for (int grp = 0; grp < g.groups(); grp++) {
                        for (int s = 0; s < count; s++) {
                            int n = mine[first + s];
                            Im2col.im2col(x, n * inSize, g, grp, cols, s * hw, ld);
                            int dyOff = n * outSize + grp * outPerGroup * hw;
                            for (int o = 0; o < outPerGroup; o++) System.arraycopy(dy, dyOff + o * hw, dys, o * ld + s * hw, hw);
                        }
                        LanePartialProducts.accumulate(outPerGroup, k, count * hw, dys, 0, ld, cols, 0, ld, partial[t], grp * accSize);
                    }
                }
            }
            if (dx != null) {
                float[] dcol = new float[k * hw];
                for (int n = t; n < batch; n += workers) {
                    java.util.Arrays.fill(dx, n * inSize, (n + 1) * inSize, 0f);
                    for (int grp = 0; grp < g.groups(); grp++) {
                        java.util.Arrays.fill(dcol, 0f);
                        Gemm.tn(k, hw, outPerGroup, w, grp * outPerGroup * k, dy, n * outSize + grp * outPerGroup * hw, dcol, 0);
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

    /**
     * Whether the weight gradient reads the input's rows in place of im2col columns: stride 1
     * and no dilation, where each column is the zero-padded input shifted by its tap, and a
     * sample alone has pixels enough for a product.
     */
    private static boolean readsShiftedRows(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.dilationH() == 1 && g.dilationW() == 1
                && g.outH() * g.outW() >= PIXELS_PER_PRODUCT;
    }

    /**
     * Worker t's samples' weight gradient with the input zero-padded once per sample to
     * [Hp, Wp]: tap (ky, kx)'s column is that plane read from ky*Wp + kx, over outH rows of Wp
     * pixels, and dy is laid out on the same rows with zeros in the Wp - outW extra columns, so
     * the pixels a shifted row wraps onto count nothing. Saves writing and reading 9 columns per
     * input value for (Wp - outW)/outW more multiplies (6% for 32 wide).
     */
    private static void weightGradientFromShiftedRows(float[] x, float[] dy, int batch, ConvGeometry g, int t, int workers,
                                                      float[] partial, int accSize) {
        int inPerGroup = g.inC() / g.groups();
        int outPerGroup = g.outC() / g.groups();
        int hp = g.inH() + g.padTop() + g.padBottom();
        int wp = g.inW() + g.padLeft() + g.padRight();
        int plane = hp * wp + g.kernelW();
        int pixels = g.outH() * wp;
        int hw = g.outH() * g.outW();
        int inSize = g.inC() * g.inH() * g.inW();
        float[] padded = new float[inPerGroup * plane];
        float[] dyRows = new float[outPerGroup * pixels];
        int[] rows = new int[inPerGroup * g.kernelH() * g.kernelW()];
        for (int c = 0, j = 0; c < inPerGroup; c++) {
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++) rows[j++] = c * plane + ky * wp + kx;
            }
        }
        for (int n = t; n < batch; n += workers) {
            for (int grp = 0; grp < g.groups(); grp++) {
                for (int c = 0; c < inPerGroup; c++) {
                    int src = n * inSize + (grp * inPerGroup + c) * g.inH() * g.inW();
                    for (int y = 0; y < g.inH(); y++) {
                        System.arraycopy(x, src + y * g.inW(), padded, c * plane + (y + g.padTop()) * wp + g.padLeft(), g.inW());
                    }
                }
                for (int o = 0; o < outPerGroup; o++) {
                    int src = n * g.outC() * hw + (grp * outPerGroup + o) * hw;
                    for (int y = 0; y < g.outH(); y++) System.arraycopy(dy, src + y * g.outW(), dyRows, o * pixels + y * wp, g.outW());
                }
                LanePartialProducts.accumulate(outPerGroup, rows.length, pixels, dyRows, 0, pixels, padded, rows, partial, grp * accSize);
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
