package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Upsampling by integer factors, as PyTorch's {@code nn.Upsample(scale_factor=(sh, sw))}: the
 * reference forward (double), its backward, and the fast forward. Arrays are
 * {@code [planes, H, W]} (planes = batch * channels) and the output is {@code inH*sh x inW*sw}.
 *
 * <p>Nearest reads source {@code floor(dst / s)}. Bilinear reads source coordinate
 * {@code max(0, (dst + 0.5) / s - 0.5)}, or {@code dst * (in - 1) / (out - 1)} with
 * align_corners, and mixes the pixel below it with the next one, clamped at the edge.
 */
public final class Upsample {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Upsample() {}

    /** Where each output row or column of one axis reads: two source indices and their weights. */
    record Taps(int[] i0, int[] i1, double[] w0, double[] w1) {

        static Taps of(int in, int scale, boolean bilinear, boolean alignCorners) {
            int out = in * scale;
            Taps t = new Taps(new int[out], new int[out], new double[out], new double[out]);
            for (int d = 0; d < out; d++) {
                if (!bilinear) {
                    t.i0[d] = t.i1[d] = d / scale;
                    t.w0[d] = 1;
                    continue;
                }
                double src = alignCorners ? (out > 1 ? (double) d * (in - 1) / (out - 1) : 0) : Math.max(0, (d + 0.5) / scale - 0.5);
                int lo = Math.min((int) src, in - 1);
                t.i0[d] = lo;
                t.i1[d] = Math.min(lo + 1, in - 1);
                t.w1[d] = src - lo;
                t.w0[d] = 1 - t.w1[d];
            }
            return t;
        }
    }

    /** The meaning: each output a weighted sum of at most four inputs, in double. */
    public static void reference(float[] x, int planes, int inH, int inW, int sh, int sw, boolean bilinear, boolean alignCorners, float[] y) {
        Taps th = Taps.of(inH, sh, bilinear, alignCorners), tw = Taps.of(inW, sw, bilinear, alignCorners);
        int outH = inH * sh, outW = inW * sw;
        for (int p = 0; p < planes; p++) {
            int base = p * inH * inW;
            for (int oy = 0; oy < outH; oy++) {
                int r0 = base + th.i0[oy] * inW, r1 = base + th.i1[oy] * inW;
                for (int ox = 0; ox < outW; ox++) {
                    int c0 = tw.i0[ox], c1 = tw.i1[ox];
                    double top = tw.w0[ox] * x[r0 + c0] + tw.w1[ox] * x[r0 + c1];
                    double bottom = tw.w0[ox] * x[r1 + c0] + tw.w1[ox] * x[r1 + c1];
                    y[(p * outH + oy) * outW + ox] = (float) (th.w0[oy] * top + th.w1[oy] * bottom);
                }
            }
        }
    }

    /**
     * Writes dx: each output gradient spread over the inputs it read, with the weights it read
     * them with (nearest sums each sh x sw block); accumulates in double.
     */
    public static void backward(float[] dy, int planes, int inH, int inW, int sh, int sw, boolean bilinear, boolean alignCorners, float[] dx) {
        Taps th = Taps.of(inH, sh, bilinear, alignCorners), tw = Taps.of(inW, sw, bilinear, alignCorners);
        int outH = inH * sh, outW = inW * sw;
        double[] acc = new double[inH * inW];
        for (int p = 0; p < planes; p++) {
            java.util.Arrays.fill(acc, 0);
            for (int oy = 0; oy < outH; oy++) {
                int r0 = th.i0[oy] * inW, r1 = th.i1[oy] * inW;
                for (int ox = 0; ox < outW; ox++) {
                    double g = dy[(p * outH + oy) * outW + ox];
                    double top = th.w0[oy] * g, bottom = th.w1[oy] * g;
                    int c0 = tw.i0[ox], c1 = tw.i1[ox];
                    acc[r0 + c0] += top * tw.w0[ox];
                    acc[r0 + c1] += top * tw.w1[ox];
                    acc[r1 + c0] += bottom * tw.w0[ox];
                    acc[r1 + c1] += bottom * tw.w1[ox];
                }
            }
            for (int i = 0; i < acc.length; i++) dx[p * inH * inW + i] = (float) acc[i];
        }
    }

    /**
     * The fast forward, planes shared out by {@code par}. Nearest builds each source row's output
     * row once and copies it to the sh - 1 rows that repeat it; bilinear interpolates every
     * source row along W once (float), then mixes two such rows per output row with vector fmas.
     */
    public static void forward(float[] x, int planes, int inH, int inW, int sh, int sw, boolean bilinear, boolean alignCorners,
                               float[] y, Parallel par) {
        Taps th = Taps.of(inH, sh, bilinear, alignCorners), tw = Taps.of(inW, sw, bilinear, alignCorners);
        int outW = inW * sw;
        int outPlane = inH * sh * outW;
        Chunks.forRanges(par, planes, Math.max(1, 16_384 / outPlane), 1, (from, to) -> {
            if (bilinear) bilinear(x, from, to, inH, inW, th, tw, y);
            else nearest(x, from, to, inH, inW, sh, sw, y);
        });
    }

    private static void nearest(float[] x, int from, int to, int inH, int inW, int sh, int sw, float[] y) {
        int outW = inW * sw;
        for (int p = from; p < to; p++) {
            for (int iy = 0; iy < inH; iy++) {
                int src = (p * inH + iy) * inW;
                int dst = (p * inH + iy) * sh * outW;
                if (sw == 1) {
                    System.arraycopy(x, src, y, dst, inW);
                } else {
                    for (int ix = 0, o = dst; ix < inW; ix++) {
                        float v = x[src + ix];
                        for (int k = 0; k < sw; k++) y[o++] = v;
                    }
                }
                for (int k = 1; k < sh; k++) System.arraycopy(y, dst, y, dst + k * outW, outW);
            }
        }
    }

    private static void bilinear(float[] x, int from, int to, int inH, int inW, Taps th, Taps tw, float[] y) {
        int outW = tw.i0.length, outH = th.i0.length;
        float[] ww0 = floats(tw.w0), ww1 = floats(tw.w1);
        float[] rows = new float[inH * outW];
        for (int p = from; p < to; p++) {
            for (int iy = 0; iy < inH; iy++) {
                int src = (p * inH + iy) * inW;
                for (int ox = 0; ox < outW; ox++) {
                    rows[iy * outW + ox] = Math.fma(ww1[ox], x[src + tw.i1[ox]], ww0[ox] * x[src + tw.i0[ox]]);
                }
            }
            for (int oy = 0; oy < outH; oy++) {
                mix(rows, th.i0[oy] * outW, (float) th.w0[oy], th.i1[oy] * outW, (float) th.w1[oy], y, (p * outH + oy) * outW, outW);
            }
        }
    }

    /** y = a * r0 + b * r1 over n floats; the scalar tail rounds as a vector lane does. */
    private static void mix(float[] r, int r0, float a, int r1, float b, float[] y, int yOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector vb = FloatVector.broadcast(S, b);
        for (; i < bound; i += S.length()) {
            FloatVector lo = FloatVector.fromArray(S, r, r0 + i).mul(a);
            FloatVector.fromArray(S, r, r1 + i).fma(vb, lo).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(r[r1 + i], b, r[r0 + i] * a);
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
