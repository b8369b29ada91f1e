package io.cnnc.kernels.backward;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-row loops of batch norm in training, on vectors: sums over one (sample, channel)
 * plane in float lanes, added in index order (a plane is at most a few thousand values, so
 * float lanes lose nothing a caller's double total over the batch would notice), and the
 * multiply-adds that write it. Values are centred on the mean before they are multiplied, as
 * the double formulas did, so a mean far above the spread does not cancel in float.
 */
final class RowSums {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private RowSums() {}

    /** sum (a - pivot): with a pivot near the values (one of them), the float lanes add small numbers whatever the values' offset. */
    static double shiftedSum(float[] a, int off, int n, float pivot) {
        return shiftedSum(a, off, 0, 1, n, pivot);
    }

    /**
     * The same over {@code rows} rows of {@code n}, {@code stride} apart, in one set of lanes: a
     * small plane's sum is a few vectors, and reducing the lanes once per plane cost more than
     * adding them (MobileNetV2's 8x8 and 4x4 planes).
     */
    static double shiftedSum(float[] a, int off, int stride, int rows, int n, float pivot) {
        FloatVector acc = FloatVector.zero(S);
        int bound = S.loopBound(n);
        double tail = 0;
        for (int r = 0, o = off; r < rows; r++, o += stride) {
            for (int i = 0; i < bound; i += L) acc = acc.add(FloatVector.fromArray(S, a, o + i).sub(pivot));
            for (int i = bound; i < n; i++) tail += a[o + i] - pivot;
        }
        return lanes(acc) + tail;
    }

    /**
     * Adds sum dy' and sum dy' * (x - mean) over one row into {@code sums[0]} and {@code sums[1]},
     * in one pass; dy' is dy where {@code mask} (a ReLU's output) is positive and 0 elsewhere, or
     * dy itself when {@code mask} is null.
     */
    static void sumAndCentredDot(float[] dy, float[] mask, float[] x, int off, int n, float mean, double[] sums) {
        sumAndCentredDot(dy, mask, Float.POSITIVE_INFINITY, x, off, n, mean, sums);
    }

    /** As above, dy counting only where the mask lies strictly between 0 and {@code ceiling} (a ReLU6's output: 6). */
    static void sumAndCentredDot(float[] dy, float[] mask, float ceiling, float[] x, int off, int n, float mean, double[] sums) {
        sumAndCentredDot(dy, mask, ceiling, x, off, 0, 1, n, mean, sums);
    }

    /** As above over {@code rows} rows of {@code n}, {@code stride} apart, in one set of lanes (see {@link #shiftedSum(float[], int, int, int, int, float)}). */
    static void sumAndCentredDot(float[] dy, float[] mask, float ceiling, float[] x, int off, int stride, int rows, int n, float mean, double[] sums) {
        FloatVector sum = FloatVector.zero(S);
        FloatVector dot = FloatVector.zero(S);
        int bound = S.loopBound(n);
        double s = 0;
        double t = 0;
        for (int r = 0, o = off; r < rows; r++, o += stride) {
            for (int i = 0; i < bound; i += L) {
                FloatVector d = masked(dy, mask, ceiling, o + i);
                sum = sum.add(d);
                dot = FloatVector.fromArray(S, x, o + i).sub(mean).fma(d, dot);
            }
            for (int i = bound; i < n; i++) {
                float d = passes(mask, ceiling, o + i) ? dy[o + i] : 0f;
                s += d;
                t += (double) d * (x[o + i] - mean);
            }
        }
        sums[0] += lanes(sum) + s;
        sums[1] += lanes(dot) + t;
    }

    private static FloatVector masked(float[] dy, float[] mask, float ceiling, int at) {
        FloatVector d = FloatVector.fromArray(S, dy, at);
        if (mask == null) return d;
        FloatVector m = FloatVector.fromArray(S, mask, at);
        var open = m.compare(VectorOperators.GT, 0f);
        if (ceiling != Float.POSITIVE_INFINITY) open = open.and(m.compare(VectorOperators.LT, ceiling));
        return FloatVector.zero(S).blend(d, open);
    }

    private static boolean passes(float[] mask, float ceiling, int at) {
        return mask == null || mask[at] > 0 && mask[at] < ceiling;
    }

    /** sum (a - mean)^2, the mean as a float and its remainder, as in {@link #centredAffine(float[], float[], int, int, float, float, float, float, boolean)}. */
    static double squaredDeviations(float[] a, int off, int n, float mean, float meanLow) {
        return squaredDeviations(a, off, 0, 1, n, mean, meanLow);
    }

    /** As above over {@code rows} rows of {@code n}, {@code stride} apart, in one set of lanes. */
    static double squaredDeviations(float[] a, int off, int stride, int rows, int n, float mean, float meanLow) {
        FloatVector acc = FloatVector.zero(S);
        int bound = S.loopBound(n);
        double tail = 0;
        for (int r = 0, o = off; r < rows; r++, o += stride) {
            for (int i = 0; i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(S, a, o + i).sub(mean).sub(meanLow);
                acc = d.fma(d, acc);
            }
            for (int i = bound; i < n; i++) {
                double d = a[o + i] - mean - meanLow;
                tail += d * d;
            }
        }
        return lanes(acc) + tail;
    }

    /**
     * out = (x - mean) * scale + shift over one row, the mean given as a float and the float
     * remainder of a double one ({@code mean + meanLow}): x minus a close float is exact, so the
     * centring loses no more than the double formula did. With {@code relu}, max(0, out): a ReLU
     * that follows, in the same pass.
     */
    static void centredAffine(float[] x, float[] out, int off, int n, float mean, float meanLow, float scale, float shift, boolean relu) {
        centredAffine(x, out, off, n, mean, meanLow, scale, shift, relu, Float.POSITIVE_INFINITY);
    }

    /** As above, a ReLU that follows clamped at {@code ceiling} too (a ReLU6: 6). */
    static void centredAffine(float[] x, float[] out, int off, int n, float mean, float meanLow, float scale, float shift, boolean relu, float ceiling) {
        int i = 0;
        float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
        float top = relu ? ceiling : Float.POSITIVE_INFINITY;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, off + i).sub(mean).sub(meanLow).fma(scale, shift).max(floor).min(top).intoArray(out, off + i);
        }
        for (; i < n; i++) out[off + i] = Math.min(Math.max(Math.fma(x[off + i] - mean - meanLow, scale, shift), floor), top);
    }

    /** out = p' * a + (q - mean) * b + d over one row, p' being p masked as in {@link #sumAndCentredDot}. */
    static void centredAffine(float[] p, float[] mask, float[] q, float[] out, int off, int n, float mean, float a, float b, float d) {
        centredAffine(p, mask, Float.POSITIVE_INFINITY, q, out, off, n, mean, a, b, d);
    }

    /** As above, p masked as in {@link #sumAndCentredDot(float[], float[], float, float[], int, int, float, double[])}. */
    static void centredAffine(float[] p, float[] mask, float ceiling, float[] q, float[] out, int off, int n, float mean, float a, float b, float d) {
        int i = 0;
        FloatVector vb = FloatVector.broadcast(S, b);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, q, off + i).sub(mean).fma(vb, masked(p, mask, ceiling, off + i).fma(a, d)).intoArray(out, off + i);
        }
        for (; i < n; i++) {
            float pm = passes(mask, ceiling, off + i) ? p[off + i] : 0f;
            out[off + i] = Math.fma(q[off + i] - mean, b, Math.fma(pm, a, d));
        }
    }

    /**
     * sum dy' over one row, dy' being dy where {@code mask} (a ReLU's output) is positive and 0
     * elsewhere, written back over dy; dy itself where {@code mask} is null.
     */
    static double maskInPlaceAndSum(float[] dy, float[] mask, int off, int n) {
        FloatVector sum = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector d = masked(dy, mask, Float.POSITIVE_INFINITY, off + i);
            if (mask != null) d.intoArray(dy, off + i);
            sum = sum.add(d);
        }
        double s = lanes(sum);
        for (; i < n; i++) {
            if (mask != null && !(mask[off + i] > 0)) dy[off + i] = 0f;
            s += dy[off + i];
        }
        return s;
    }

    /** The lanes added in index order (reduceLanes' order is the JIT's choice). */
    private static double lanes(FloatVector v) {
        // Lane by lane, not through a new array: one per plane and pass was most of batch norm's garbage.
        double s = 0;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }
}
