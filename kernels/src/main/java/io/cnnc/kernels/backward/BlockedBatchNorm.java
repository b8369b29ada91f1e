package io.cnnc.kernels.backward;

import io.cnnc.kernels.cpu.Workers;
import io.cnnc.kernels.cpu.layout.Nchwc;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation in training on channel-blocked tensors (NCHWc, {@link Nchwc#BLOCK}
 * channels a vector): what {@link BatchNormTraining} computes on planar ones, each vector lane
 * one channel. The statistics are combined as there (a pivot per channel, each plane's squared
 * deviations about its own mean, Chan et al.'s formula over the planes in double), and
 * {@link BatchNormTraining.Saved} holds the same per-channel values, so the planar and blocked
 * forms agree to float rounding. The work is shared out by block and range of samples, and each
 * group's partial results are stored before they are combined in sample order, so the same
 * thread count gives the same bits.
 */
public final class BlockedBatchNorm {

    private static final VectorSpecies<Float> S = Nchwc.SPECIES;
    private static final int B = Nchwc.BLOCK;
    /** Doubles in a vector of the blocks' width: a block's float lanes widen into two of them. */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorShape.forBitSize(S.vectorBitSize()));
    /**
     * Pixels a lane sums in float before its sum is widened into double lanes: 64 centred values
     * lose nothing a double total notices. Small planes go in groups of samples
     * ({@link BatchNormTraining#planesPerGroup}), whose means Chan et al.'s formula combines.
     */
    private static final int CHUNK = 64;

    private BlockedBatchNorm() {}

    /** The training forward on NCHWc {@code x}, writing NCHWc {@code y}, as {@link BatchNormTraining#forward}. */
    public static void forward(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta, float[] runningMean,
                               float[] runningVar, double eps, double momentum, float[] y, BatchNormTraining.Saved saved, boolean relu,
                               float ceiling) {
        int blocks = blocks(channels);
        int group = BatchNormTraining.planesPerGroup(batch, spatial);
        int groups = (batch + group - 1) / group;
        double[] groupMean = new double[groups * channels];
        double[] groupSquares = new double[groups * channels];
        float[] pivot = new float[channels];
        for (int k = 0; k < blocks; k++) System.arraycopy(x, k * spatial * B, pivot, k * B, B);
        shareOut(groups, blocks, (k, from, to) -> {
            FloatVector p = FloatVector.fromArray(S, pivot, k * B);
            double[] lanes = new double[B];
            float[] mh = new float[B];
            float[] ml = new float[B];
            for (int q = from; q < to; q++) {
                int first = q * group;
                int planes = Math.min(group, batch - first);
                DoubleVector lo = DoubleVector.zero(D);
                DoubleVector hi = DoubleVector.zero(D);
                for (int n = first; n < first + planes; n++) {
                    int off = (n * blocks + k) * spatial * B;
                    for (int p0 = 0; p0 < spatial; p0 += CHUNK) {
                        FloatVector acc = FloatVector.zero(S);
                        for (int i = p0, end = Math.min(spatial, p0 + CHUNK); i < end; i++) acc = acc.add(FloatVector.fromArray(S, x, off + i * B).sub(p));
                        lo = lo.add(acc.convertShape(VectorOperators.F2D, D, 0));
                        hi = hi.add(acc.convertShape(VectorOperators.F2D, D, 1));
                    }
                }
                lo.intoArray(lanes, 0);
                hi.intoArray(lanes, B / 2);
                for (int l = 0; l < B; l++) {
                    double m = pivot[k * B + l] + lanes[l] / ((double) planes * spatial);
                    groupMean[q * channels + k * B + l] = m;
                    mh[l] = (float) m;
                    ml[l] = (float) (m - mh[l]);
                }
                FloatVector vh = FloatVector.fromArray(S, mh, 0);
                FloatVector vl = FloatVector.fromArray(S, ml, 0);
                lo = DoubleVector.zero(D);
                hi = DoubleVector.zero(D);
                for (int n = first; n < first + planes; n++) {
                    int off = (n * blocks + k) * spatial * B;
                    for (int p0 = 0; p0 < spatial; p0 += CHUNK) {
                        FloatVector acc = FloatVector.zero(S);
                        for (int i = p0, end = Math.min(spatial, p0 + CHUNK); i < end; i++) {
                            FloatVector d = FloatVector.fromArray(S, x, off + i * B).sub(vh).sub(vl);
                            acc = d.fma(d, acc);
                        }
                        lo = lo.add(acc.convertShape(VectorOperators.F2D, D, 0));
                        hi = hi.add(acc.convertShape(VectorOperators.F2D, D, 1));
                    }
                }
                lo.intoArray(groupSquares, q * channels + k * B);
                hi.intoArray(groupSquares, q * channels + k * B + B / 2);
            }
        });
        for (int c = 0; c < channels; c++) {
            double shifted = 0;
            double within = 0;
            for (int q = 0; q < groups; q++) {
                shifted += (groupMean[q * channels + c] - pivot[c]) * Math.min(group, batch - q * group) * spatial;
                within += groupSquares[q * channels + c];
            }
            BatchNormTraining.combine(c, pivot[c], shifted, within, groupMean, c, channels, batch, spatial, gamma, runningMean, runningVar, eps, momentum,
                    saved);
        }
        recompute(x, batch, channels, spatial, saved.mean(), saved.meanLow(), saved.scale(), beta, y, relu, ceiling);
    }

    /** The forward's output again from what it saved: the same arithmetic, the same bits. */
    public static void recompute(float[] x, int batch, int channels, int spatial, float[] mean, float[] meanLow, float[] scale, float[] beta,
                                 float[] y, boolean relu, float ceiling) {
        int blocks = blocks(channels);
        float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
        float top = relu ? ceiling : Float.POSITIVE_INFINITY;
        shareOut(batch, blocks, (k, from, to) -> {
            FloatVector vh = FloatVector.fromArray(S, mean, k * B);
            FloatVector vl = FloatVector.fromArray(S, meanLow, k * B);
            FloatVector vs = FloatVector.fromArray(S, scale, k * B);
            FloatVector vb = FloatVector.fromArray(S, beta, k * B);
            for (int n = from; n < to; n++) {
                int off = (n * blocks + k) * spatial * B;
                for (int i = 0; i < spatial; i++) {
                    FloatVector.fromArray(S, x, off + i * B).sub(vh).sub(vl).fma(vs, vb).max(floor).min(top).intoArray(y, off + i * B);
                }
            }
        });
    }

    /** Inference-mode batch norm (running statistics) and the folded ReLU, for an evaluating pass. */
    public static void evaluate(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta, float[] runningMean,
                                float[] runningVar, double eps, float[] y, boolean relu, float ceiling) {
        float[] scale = new float[channels];
        float[] zero = new float[channels];
        for (int c = 0; c < channels; c++) scale[c] = (float) (gamma[c] / Math.sqrt(runningVar[c] + eps));
        recompute(x, batch, channels, spatial, runningMean, zero, scale, beta, y, relu, ceiling);
    }

    /**
     * The training backward, as {@link BatchNormTraining#backward}: dgamma and dbeta added into,
     * dx written (none where null); dy counted only where the folded ReLU's output lies strictly
     * between 0 and {@code ceiling} when {@code reluOutput} is non-null.
     */
    public static void backward(float[] x, float[] dy, float[] reluOutput, float ceiling, int batch, int channels, int spatial, float[] gamma,
                                float[] savedMean, float[] savedInvStd, float[] dx, float[] dgamma, float[] dbeta) {
        int blocks = blocks(channels);
        int group = BatchNormTraining.planesPerGroup(batch, spatial);
        int groups = (batch + group - 1) / group;
        double[] groupDy = new double[groups * channels];
        double[] groupDot = new double[groups * channels];
        shareOut(groups, blocks, (k, from, to) -> {
            FloatVector mean = FloatVector.fromArray(S, savedMean, k * B);
            for (int q = from; q < to; q++) {
                DoubleVector sumLo = DoubleVector.zero(D);
                DoubleVector sumHi = DoubleVector.zero(D);
                DoubleVector dotLo = DoubleVector.zero(D);
                DoubleVector dotHi = DoubleVector.zero(D);
                for (int n = q * group; n < Math.min(batch, (q + 1) * group); n++) {
                    int off = (n * blocks + k) * spatial * B;
                    for (int p0 = 0; p0 < spatial; p0 += CHUNK) {
                        FloatVector sum = FloatVector.zero(S);
                        FloatVector dot = FloatVector.zero(S);
                        for (int i = p0, end = Math.min(spatial, p0 + CHUNK); i < end; i++) {
                            FloatVector d = masked(dy, reluOutput, ceiling, off + i * B);
                            sum = sum.add(d);
                            dot = FloatVector.fromArray(S, x, off + i * B).sub(mean).fma(d, dot);
                        }
                        sumLo = sumLo.add(sum.convertShape(VectorOperators.F2D, D, 0));
                        sumHi = sumHi.add(sum.convertShape(VectorOperators.F2D, D, 1));
                        dotLo = dotLo.add(dot.convertShape(VectorOperators.F2D, D, 0));
                        dotHi = dotHi.add(dot.convertShape(VectorOperators.F2D, D, 1));
                    }
                }
                sumLo.intoArray(groupDy, q * channels + k * B);
                sumHi.intoArray(groupDy, q * channels + k * B + B / 2);
                dotLo.intoArray(groupDot, q * channels + k * B);
                dotHi.intoArray(groupDot, q * channels + k * B + B / 2);
            }
        });
        int count = batch * spatial;
        float[] a = new float[channels];
        float[] b = new float[channels];
        float[] d = new float[channels];
        for (int c = 0; c < channels; c++) {
            double sumDy = 0;
            double dot = 0;
            for (int q = 0; q < groups; q++) {
                sumDy += groupDy[q * channels + c];
                dot += groupDot[q * channels + c];
            }
            double invStd = savedInvStd[c];
            double sumDyXhat = invStd * dot;
            if (dgamma != null) dgamma[c] += (float) sumDyXhat;
            if (dbeta != null) dbeta[c] += (float) sumDy;
            double k = gamma[c] * invStd / count;
            a[c] = (float) (k * count);
            b[c] = (float) (-k * sumDyXhat * invStd);
            d[c] = (float) (-k * sumDy);
        }
        if (dx == null) return;
        shareOut(batch, blocks, (k, from, to) -> {
            FloatVector mean = FloatVector.fromArray(S, savedMean, k * B);
            FloatVector va = FloatVector.fromArray(S, a, k * B);
            FloatVector vb = FloatVector.fromArray(S, b, k * B);
            FloatVector vd = FloatVector.fromArray(S, d, k * B);
            for (int n = from; n < to; n++) {
                int off = (n * blocks + k) * spatial * B;
                for (int i = 0; i < spatial; i++) {
                    int at = off + i * B;
                    FloatVector.fromArray(S, x, at).sub(mean).fma(vb, masked(dy, reluOutput, ceiling, at).fma(va, vd)).intoArray(dx, at);
                }
            }
        });
    }

    /** A frozen layer's backward (running statistics), as {@link BatchNormTraining#backwardFrozen}. */
    public static void backwardFrozen(float[] x, float[] dy, int batch, int channels, int spatial, float[] gamma, float[] runningMean,
                                      float[] runningVar, double eps, float[] dx, float[] dgamma, float[] dbeta) {
        int blocks = blocks(channels);
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < blocks; k++) {
                for (int i = 0; i < spatial; i++) {
                    for (int l = 0; l < B; l++) {
                        int c = k * B + l;
                        int at = ((n * blocks + k) * spatial + i) * B + l;
                        double invStd = 1 / Math.sqrt(runningVar[c] + eps);
                        if (dgamma != null) dgamma[c] += (float) (dy[at] * (x[at] - runningMean[c]) * invStd);
                        if (dbeta != null) dbeta[c] += dy[at];
                        if (dx != null) dx[at] = (float) (dy[at] * gamma[c] * invStd);
                    }
                }
            }
        }
    }

    private static int blocks(int channels) {
        if (!Nchwc.blocks(channels)) throw new IllegalArgumentException(channels + " channels do not fill " + Nchwc.NAME + " blocks");
        return channels / B;
    }

    private static FloatVector masked(float[] dy, float[] mask, float ceiling, int at) {
        FloatVector d = FloatVector.fromArray(S, dy, at);
        if (mask == null) return d;
        FloatVector m = FloatVector.fromArray(S, mask, at);
        VectorMask<Float> open = m.compare(VectorOperators.GT, 0f);
        if (ceiling != Float.POSITIVE_INFINITY) open = open.and(m.compare(VectorOperators.LT, ceiling));
        return FloatVector.zero(S).blend(d, open);
    }

    private interface BlockSamples {
        void run(int block, int from, int to);
    }

    /** Runs {@code body} over every block and unit (sample or group of samples), in tasks of one block and a range of units, a few per worker. */
    private static void shareOut(int units, int blocks, BlockSamples body) {
        int workers = Workers.count(units * blocks);
        int parts = Math.min(units, Math.max(1, (2 * workers + blocks - 1) / blocks));
        Workers.range(blocks * parts, t -> {
            int k = t % blocks;
            int part = t / blocks;
            body.run(k, units * part / parts, units * (part + 1) / parts);
        });
    }
}
