package io.cnnc.kernels.reference;

/**
 * Group normalisation as PyTorch's {@code nn.GroupNorm} defines it: the channels of each sample
 * in {@code groups} runs of {@code channels / groups}, each run normalised over its mean and
 * (biased) variance together, then scaled and shifted per channel ({@code gamma}, {@code beta};
 * both null for none). Instance normalisation is the case groups = channels. Sums in double.
 */
public final class GroupNormReference {

    private GroupNormReference() {}

    /** {mean, 1/std} of the {@code count} values from {@code x[base]}, in double (the variance biased, as PyTorch's). */
    public static double[] stats(float[] x, int base, int count, double eps) {
        double sum = 0;
        for (int k = 0; k < count; k++) sum += x[base + k];
        double mean = sum / count;
        double sq = 0;
        for (int k = 0; k < count; k++) sq += (x[base + k] - mean) * (x[base + k] - mean);
        return new double[] {mean, 1 / Math.sqrt(sq / count + eps)};
    }

    public static void forward(float[] x, int batch, int channels, int spatial, int groups, float[] gamma, float[] beta, double eps, float[] y) {
        int per = channels / groups;
        int count = per * spatial;
        for (int ng = 0; ng < batch * groups; ng++) {
            int base = ng * count;
            double[] stats = stats(x, base, count, eps);
            double mean = stats[0], inv = stats[1];
            for (int k = 0; k < count; k++) {
                int c = (ng % groups) * per + k / spatial;
                double v = (x[base + k] - mean) * inv;
                y[base + k] = (float) (gamma == null ? v : v * gamma[c] + beta[c]);
            }
        }
    }
}
