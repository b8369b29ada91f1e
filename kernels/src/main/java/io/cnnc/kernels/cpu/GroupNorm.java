package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Group normalisation on the CPU ({@link io.cnnc.kernels.reference.GroupNormReference}): each
 * (sample, group) is one contiguous run, summed on vectors into double per channel plane, and
 * the runs are shared over the worker team. Its gradient, for training, is here too.
 */
public final class GroupNorm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private GroupNorm() {}

    public static void forward(float[] x, int batch, int channels, int spatial, int groups, float[] gamma, float[] beta, double eps, float[] y) {
        int per = channels / groups;
        int count = per * spatial;
        // Each (sample, group) is one task of the worker team (no scratch).
        Workers.forEach(batch * groups, () -> null, (ng, unused) -> {
            int base = ng * count;
            double sum = 0;
            for (int c = 0; c < per; c++) sum += sum(x, base + c * spatial, spatial, 0f);
            float mean = (float) (sum / count);
            double sq = 0;
            for (int c = 0; c < per; c++) sq += squares(x, base + c * spatial, spatial, mean);
            float inv = (float) (1 / Math.sqrt(sq / count + eps));
            for (int c = 0; c < per; c++) {
                int channel = (ng % groups) * per + c;
                float a = gamma == null ? inv : inv * gamma[channel];
                float b = gamma == null ? 0f : beta[channel];
                affine(x, y, base + c * spatial, spatial, mean, a, b);
            }
        });
    }

    /**
     * dx = invStd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) per (sample, group), with
     * dxhat = dy * gamma; dgamma += sum dy * xhat and dbeta += sum dy per channel (null: none).
     */
    public static void backward(float[] x, float[] dy, int batch, int channels, int spatial, int groups, float[] gamma, double eps, float[] dx,
                                float[] dgamma, float[] dbeta) {
        int per = channels / groups;
        int count = per * spatial;
        double[] dg = new double[channels];
        double[] db = new double[channels];
        for (int ng = 0; ng < batch * groups; ng++) {
            int base = ng * count;
            double[] stats = io.cnnc.kernels.reference.GroupNormReference.stats(x, base, count, eps);
            double mean = stats[0], inv = stats[1];
            double sumD = 0, sumDX = 0;
            for (int k = 0; k < count; k++) {
                int c = (ng % groups) * per + k / spatial;
                double xhat = (x[base + k] - mean) * inv;
                double d = dy[base + k] * (gamma == null ? 1 : gamma[c]);
                sumD += d;
                sumDX += d * xhat;
                dg[c] += dy[base + k] * xhat;
                db[c] += dy[base + k];
            }
            if (dx == null) continue;
            for (int k = 0; k < count; k++) {
                int c = (ng % groups) * per + k / spatial;
                double xhat = (x[base + k] - mean) * inv;
                double d = dy[base + k] * (gamma == null ? 1 : gamma[c]);
                dx[base + k] = (float) (inv * (d - sumD / count - xhat * sumDX / count));
            }
        }
        for (int c = 0; c < channels; c++) {
            if (dgamma != null) dgamma[c] += (float) dg[c];
            if (dbeta != null) dbeta[c] += (float) db[c];
        }
    }

    private static double sum(float[] a, int off, int n, float shift) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) acc = acc.add(FloatVector.fromArray(S, a, off + i).sub(shift));
        double s = 0;
        for (int l = 0; l < S.length(); l++) s += acc.lane(l);
        for (; i < n; i++) s += a[off + i] - shift;
        return s;
    }

    private static double squares(float[] a, int off, int n, float mean) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, a, off + i).sub(mean);
            acc = d.fma(d, acc);
        }
        double s = 0;
        for (int l = 0; l < S.length(); l++) s += acc.lane(l);
        for (; i < n; i++) s += (double) (a[off + i] - mean) * (a[off + i] - mean);
        return s;
    }

    private static void affine(float[] x, float[] y, int off, int n, float mean, float a, float b) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, off + i).sub(mean).fma(a, b).intoArray(y, off + i);
        }
        for (; i < n; i++) y[off + i] = Math.fma(x[off + i] - mean, a, b);
    }
}
