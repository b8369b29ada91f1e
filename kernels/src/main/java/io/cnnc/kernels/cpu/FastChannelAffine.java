package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per-channel maps y = x * s[c] + t[c] over NCHW: layer scale
 * ({@link io.cnnc.kernels.reference.ScaleReference}), per-channel shift
 * ({@link io.cnnc.kernels.reference.ShiftReference}) and inference batch norm
 * ({@link io.cnnc.kernels.reference.BatchNormReference}), each with the reference's arguments
 * plus a {@link Parallel}. Scale alone and shift alone are one correctly rounded float op, as in
 * the references. Batch norm folds into s = gamma / sqrt(var + eps), t = beta - mean * s (in
 * double, rounded once) and one fused multiply-add; against the reference's double
 * (x - mean) * s + beta this errs by about one float ulp of |x*s| + |t|, which exceeds an ulp
 * of the result only where x is close to the mean.
 */
public final class FastChannelAffine {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MIN_TASK_FLOATS = 16_384;

    private FastChannelAffine() {}

    public static void scale(float[] x, int batch, int channels, int spatial, float[] weight, float[] y, Parallel p) {
        affine(x, batch, channels, spatial, weight, null, y, p);
    }

    public static void shift(float[] x, int batch, int channels, int spatial, float[] b, float[] y, Parallel p) {
        affine(x, batch, channels, spatial, null, b, y, p);
    }

    public static void batchNorm(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta,
                                 float[] runningMean, float[] runningVar, double eps, float[] y, Parallel p) {
        float[] s = new float[channels];
        float[] t = new float[channels];
        for (int c = 0; c < channels; c++) {
            double sc = gamma[c] / Math.sqrt(runningVar[c] + eps);
            s[c] = (float) sc;
            t[c] = (float) (beta[c] - runningMean[c] * sc);
        }
        affine(x, batch, channels, spatial, s, t, y, p);
    }

    /** y = x * scale[c] + shift[c] for channel c of each sample; a null scale is 1, a null shift 0. */
    public static void affine(float[] x, int batch, int channels, int spatial, float[] scale, float[] shift, float[] y, Parallel p) {
        int minPlanes = Math.max(1, MIN_TASK_FLOATS / spatial);
        Chunks.forRanges(p, batch * channels, minPlanes, 1, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                int c = nc % channels;
                plane(x, y, nc * spatial, spatial, scale == null ? 1f : scale[c], shift == null ? 0f : shift[c], scale != null, shift != null);
            }
        });
    }

    /** The scalar tail computes exactly what a vector lane does (Math.fma is one rounding, like the vector fma). */
    private static void plane(float[] x, float[] y, int off, int n, float s, float t, boolean mul, boolean add) {
        int i = off;
        int end = off + n;
        int bound = off + S.loopBound(n);
        if (mul && add) {
            FloatVector vs = FloatVector.broadcast(S, s), vt = FloatVector.broadcast(S, t);
            for (; i < bound; i += L) FloatVector.fromArray(S, x, i).fma(vs, vt).intoArray(y, i);
            for (; i < end; i++) y[i] = Math.fma(x[i], s, t);
        } else if (mul) {
            for (; i < bound; i += L) FloatVector.fromArray(S, x, i).mul(s).intoArray(y, i);
            for (; i < end; i++) y[i] = x[i] * s;
        } else if (add) {
            for (; i < bound; i += L) FloatVector.fromArray(S, x, i).add(t).intoArray(y, i);
            for (; i < end; i++) y[i] = x[i] + t;
        } else if (x != y) {
            System.arraycopy(x, off, y, off, n);
        }
    }
}
