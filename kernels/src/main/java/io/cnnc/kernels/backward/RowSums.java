package io.cnnc.kernels.backward;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-row loops of batch norm in training, on vectors: sums over one (sample, channel)
 * plane in float lanes, added in index order (a plane is at most a few thousand values, so
 * float lanes lose nothing a caller's double total over the batch would notice), and the
 * multiply-adds that write it.
 */
final class RowSums {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private RowSums() {}

    static double sum(float[] a, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) acc = acc.add(FloatVector.fromArray(S, a, off + i));
        double s = lanes(acc);
        for (; i < n; i++) s += a[off + i];
        return s;
    }

    static double dot(float[] a, float[] b, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) acc = FloatVector.fromArray(S, a, off + i).fma(FloatVector.fromArray(S, b, off + i), acc);
        double s = lanes(acc);
        for (; i < n; i++) s += (double) a[off + i] * b[off + i];
        return s;
    }

    /** sum (a - mean)^2. */
    static double squaredDeviations(float[] a, int off, int n, float mean) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, a, off + i).sub(mean);
            acc = d.fma(d, acc);
        }
        double s = lanes(acc);
        for (; i < n; i++) {
            double d = a[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /** out = x * scale + shift over one row. */
    static void affine(float[] x, float[] out, int off, int n, float scale, float shift) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, off + i).fma(scale, shift).intoArray(out, off + i);
        }
        for (; i < n; i++) out[off + i] = Math.fma(x[off + i], scale, shift);
    }

    /** out = p * a + q * b + d over one row. */
    static void affine(float[] p, float[] q, float[] out, int off, int n, float a, float b, float d) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, q, off + i).fma(FloatVector.broadcast(S, b), FloatVector.fromArray(S, p, off + i).fma(a, d)).intoArray(out, off + i);
        }
        for (; i < n; i++) out[off + i] = Math.fma(q[off + i], b, Math.fma(p[off + i], a, d));
    }

    /** The lanes added in index order (reduceLanes' order is the JIT's choice). */
    private static double lanes(FloatVector v) {
        float[] l = new float[L];
        v.intoArray(l, 0);
        double s = 0;
        for (float f : l) s += f;
        return s;
    }
}
