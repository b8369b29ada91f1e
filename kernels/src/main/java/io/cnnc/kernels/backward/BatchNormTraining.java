package io.cnnc.kernels.backward;

import io.cnnc.kernels.cpu.Workers;

/**
 * Batch normalisation in training mode: normalises with the batch's own mean and (biased)
 * variance, updates the running statistics as PyTorch does (unbiased variance, momentum), and
 * keeps mean and 1/std per channel for the backward pass.
 */
public final class BatchNormTraining {

    /** Pixels a group of small planes covers at least, summed in one set of lanes: a 32x32 plane alone. */
    private static final int GROUP_PIXELS = 1024;

    private BatchNormTraining() {}

    /** Planes summed together: one where a plane has GROUP_PIXELS, more where they are smaller. */
    static int planesPerGroup(int batch, int spatial) {
        return Math.max(1, Math.min(batch, GROUP_PIXELS / Math.max(1, spatial)));
    }

    public static void forward(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta,
                               float[] runningMean, float[] runningVar, double eps, double momentum,
                               float[] y, float[] savedMean, float[] savedInvStd, boolean relu) {
        forward(x, batch, channels, spatial, gamma, beta, runningMean, runningVar, eps, momentum, y,
                new Saved(savedMean, savedInvStd, new float[channels], new float[channels]), relu);
    }

    /**
     * What the training forward keeps per channel: the mean (as a float pair, {@code mean} and
     * {@code meanLow}, its rounding error), 1/std, and gamma/std; with them {@link #recompute}
     * repeats the forward's output bit for bit.
     */
    public record Saved(float[] mean, float[] invStd, float[] meanLow, float[] scale) {}

    /** The training forward, keeping what the backward and a recompute need in {@code saved}. */
    public static void forward(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta,
                               float[] runningMean, float[] runningVar, double eps, double momentum,
                               float[] y, Saved saved, boolean relu) {
        forward(x, batch, channels, spatial, gamma, beta, runningMean, runningVar, eps, momentum, y, saved, relu, Float.POSITIVE_INFINITY);
    }

    /** As above, the ReLU that follows (with {@code relu}) clamped at {@code ceiling} too: 6 for a ReLU6. */
    public static void forward(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta,
                               float[] runningMean, float[] runningVar, double eps, double momentum,
                               float[] y, Saved saved, boolean relu, float ceiling) {
        int group = planesPerGroup(batch, spatial);
        int groups = (batch + group - 1) / group;
        int stride = channels * spatial;
        // Channels are independent: spread them over the cores (each writes only its own channel).
        Workers.range(channels, c -> {
            // Summed about the channel's first value: activations far from zero (1000 + 0.01 noise) keep their mean to double precision.
            float pivot = x[c * spatial];
            // Each group of planes' sum, then its squared deviations about its own mean while it is still in L1, combined over the
            // groups as Chan et al. combine partial variances: one pass over the channel from memory instead of two. A group is one
            // plane, or as many small planes as make GROUP_PIXELS.
            double shifted = 0;
            double within = 0;
            double[] groupMeans = new double[groups];
            for (int q = 0; q < groups; q++) {
                int planes = Math.min(group, batch - q * group);
                int off = (q * group * channels + c) * spatial;
                double s = RowSums.shiftedSum(x, off, stride, planes, spatial, pivot);
                shifted += s;
                double m = pivot + s / ((double) planes * spatial);
                groupMeans[q] = m;
                float mh = (float) m;
                within += RowSums.squaredDeviations(x, off, stride, planes, spatial, mh, (float) (m - mh));
            }
            combine(c, pivot, shifted, within, groupMeans, 0, 1, batch, spatial, gamma, runningMean, runningVar, eps, momentum, saved);
            // y = (x - mean) * invStd * gamma + beta: centred first, so a mean far above the spread cancels exactly.
            for (int n = 0; n < batch; n++) {
                RowSums.centredAffine(x, y, (n * channels + c) * spatial, spatial, saved.mean()[c], saved.meanLow()[c], saved.scale()[c], beta[c], relu,
                        ceiling);
            }
        });
    }

    /**
     * Channel c's batch statistics from its groups of planes ({@link #planesPerGroup}): their means
     * at {@code groupMeans[at + q * stride]}, {@code shifted} the sum of the channel's values less
     * {@code pivot}, {@code within} the groups' squared deviations about their own means; combined
     * by Chan et al.'s formula into {@code saved} (mean as a float and its remainder, 1/std,
     * gamma/std) and the running statistics (unbiased variance, momentum, as PyTorch).
     */
    static void combine(int c, double pivot, double shifted, double within, double[] groupMeans, int at, int stride, int batch, int spatial,
                        float[] gamma, float[] runningMean, float[] runningVar, double eps, double momentum, Saved saved) {
        int count = batch * spatial;
        int group = planesPerGroup(batch, spatial);
        int groups = (batch + group - 1) / group;
        double mean = pivot + shifted / count;
        double between = 0;
        for (int q = 0; q < groups; q++) {
            double d = groupMeans[at + q * stride] - mean;
            between += (double) Math.min(group, batch - q * group) * spatial * d * d;
        }
        double sq = within + between;
        double var = sq / count;
        double invStd = 1 / Math.sqrt(var + eps);
        float high = (float) mean;
        saved.mean()[c] = high;
        saved.meanLow()[c] = (float) (mean - high);
        saved.invStd()[c] = (float) invStd;
        saved.scale()[c] = (float) (invStd * gamma[c]);
        runningMean[c] = (float) ((1 - momentum) * runningMean[c] + momentum * mean);
        runningVar[c] = (float) ((1 - momentum) * runningVar[c] + momentum * (count > 1 ? sq / (count - 1) : var));
    }

    /** The training forward's output again, from its input and what it saved ({@link Saved}): the same arithmetic, the same bits. */
    public static void recompute(float[] x, int batch, int channels, int spatial, float[] mean, float[] meanLow, float[] scale, float[] beta,
                                 float[] y, boolean relu) {
        recompute(x, batch, channels, spatial, mean, meanLow, scale, beta, y, relu, Float.POSITIVE_INFINITY);
    }

    /** As above, the folded ReLU clamped at {@code ceiling} too. */
    public static void recompute(float[] x, int batch, int channels, int spatial, float[] mean, float[] meanLow, float[] scale, float[] beta,
                                 float[] y, boolean relu, float ceiling) {
        Workers.range(channels, c -> {
            for (int n = 0; n < batch; n++) {
                RowSums.centredAffine(x, y, (n * channels + c) * spatial, spatial, mean[c], meanLow[c], scale[c], beta[c], relu, ceiling);
            }
        });
    }

    /**
     * dx = gamma*invStd/N * (N*dy - sum dy - xhat * sum(dy*xhat)); dgamma += sum dy*xhat; dbeta += sum dy.
     * Where a ReLU followed in the forward ({@code reluOutput} non-null, its output), dy is that
     * ReLU's gradient and counts only where the output is positive: its backward in these passes.
     */
    public static void backward(float[] x, float[] dy, float[] reluOutput, int batch, int channels, int spatial, float[] gamma,
                                float[] savedMean, float[] savedInvStd, float[] dx, float[] dgamma, float[] dbeta) {
        backward(x, dy, reluOutput, Float.POSITIVE_INFINITY, batch, channels, spatial, gamma, savedMean, savedInvStd, dx, dgamma, dbeta);
    }

    /** As above, dy counting only where the folded ReLU's output lies strictly between 0 and {@code ceiling} (6: a ReLU6). */
    public static void backward(float[] x, float[] dy, float[] reluOutput, float ceiling, int batch, int channels, int spatial, float[] gamma,
                                float[] savedMean, float[] savedInvStd, float[] dx, float[] dgamma, float[] dbeta) {
        int count = batch * spatial;
        int group = planesPerGroup(batch, spatial);
        Workers.range(channels, c -> {
            double mean = savedMean[c];
            double invStd = savedInvStd[c];
            double[] sums = new double[2];
            for (int n = 0; n < batch; n += group) {
                RowSums.sumAndCentredDot(dy, reluOutput, ceiling, x, (n * channels + c) * spatial, channels * spatial, Math.min(group, batch - n), spatial,
                        (float) mean, sums);
            }
            double sumDy = sums[0];
            double sumDyXhat = invStd * sums[1];
            dgamma[c] += (float) sumDyXhat;
            dbeta[c] += (float) sumDy;
            if (dx == null) return;
            // dx = k*N*dy - k*xhat*sumDyXhat - k*sumDy, with xhat = (x - mean)*invStd: dy*a + (x - mean)*b + d per element.
            double k = gamma[c] * invStd / count;
            float a = (float) (k * count);
            float b = (float) (-k * sumDyXhat * invStd);
            float d = (float) (-k * sumDy);
            for (int n = 0; n < batch; n++) RowSums.centredAffine(dy, reluOutput, ceiling, x, dx, (n * channels + c) * spatial, spatial, (float) mean, a, b, d);
        });
    }

    /** Inference-mode batch norm (frozen statistics): dx = dy * gamma / sqrt(var + eps). */
    public static void backwardFrozen(float[] x, float[] dy, int batch, int channels, int spatial, float[] gamma,
                                      float[] runningMean, float[] runningVar, double eps, float[] dx, float[] dgamma, float[] dbeta) {
        for (int c = 0; c < channels; c++) {
            double invStd = 1 / Math.sqrt(runningVar[c] + eps);
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    if (dgamma != null) dgamma[c] += (float) (dy[base + i] * (x[base + i] - runningMean[c]) * invStd);
                    if (dbeta != null) dbeta[c] += dy[base + i];
                    if (dx != null) dx[base + i] = (float) (dy[base + i] * gamma[c] * invStd);
                }
            }
        }
    }
}
