package io.cnnc.kernels.reference;

/**
 * Group normalisation as PyTorch's {@code nn.GroupNorm} defines it: the channels of each sample
 * in {@code groups} runs of {@code channels / groups}, each run normalised over its mean and
 * (biased) variance together, then scaled and shifted per channel ({@code gamma}, {@code beta};
 * both null for none). Instance normalisation is the case groups = channels. Sums in double.
 */
public final class GroupNormReference {

    private GroupNormReference() {}

    public static void forward(float[] x, int batch, int channels, int spatial, int groups, float[] gamma, float[] beta, double eps, float[] y) {
        int per = channels / groups;
        int count = per * spatial;
        for (int ng = 0; ng < batch * groups; ng++) {
            int base = ng * count;
            double sum = 0;
            for (int k = 0; k < count; k++) sum += x[base + k];
            double mean = sum / count;
            double sq = 0;
            for (int k = 0; k < count; k++) sq += (x[base + k] - mean) * (x[base + k] - mean);
            double inv = 1 / Math.sqrt(sq / count + eps);
            for (int k = 0; k < count; k++) {
                int c = (ng % groups) * per + k / spatial;
                double v = (x[base + k] - mean) * inv;
                y[base + k] = (float) (gamma == null ? v : v * gamma[c] + beta[c]);
            }
        }
    }
}
