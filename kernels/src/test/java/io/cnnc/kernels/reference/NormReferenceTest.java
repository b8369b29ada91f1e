package io.cnnc.kernels.reference;

import static io.cnnc.kernels.reference.TestArrays.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Batch norm (inference), layer norm over channels, per-channel scale. */
class NormReferenceTest {

    @Test
    void batchNormByHand() {
        // Channel 0: (x - 1) / sqrt(4 + 0) * 2 + 3: 5 -> 7, 1 -> 3. Channel 1: (x - 0) / sqrt(1 + 0) * 1 - 1: 2 -> 1, -2 -> -3.
        float[] y = new float[4];
        BatchNormReference.forward(new float[] {5, 1, 2, -2}, 1, 2, 2, new float[] {2, 1}, new float[] {3, -1},
                new float[] {1, 0}, new float[] {4, 1}, 0, y);
        assertThat(y).containsExactly(7f, 3f, 1f, -3f);
        // eps is added to the variance: var 3 + eps 1 -> divide by 2: (5 - 1) / 2 * 2 + 3 = 7 once more.
        float[] z = new float[1];
        BatchNormReference.forward(new float[] {5}, 1, 1, 1, new float[] {2}, new float[] {3}, new float[] {1}, new float[] {3}, 1, z);
        assertThat(z).containsExactly(7f);
    }

    @Test
    void batchNormUsesTheSameStatisticsForEverySample() {
        // Inference mode: the batch's own statistics are ignored, so each sample is transformed alone.
        float[] x = random(2 * 3 * 4, 41);
        float[] gamma = {1, 2, 0.5f}, beta = {0, -1, 1}, mean = {0.1f, 0, -0.3f}, var = {1, 2, 0.5f};
        float[] both = new float[24];
        BatchNormReference.forward(x, 2, 3, 4, gamma, beta, mean, var, 1e-5, both);
        float[] second = new float[12];
        BatchNormReference.forward(java.util.Arrays.copyOfRange(x, 12, 24), 1, 3, 4, gamma, beta, mean, var, 1e-5, second);
        assertThat(java.util.Arrays.copyOfRange(both, 12, 24)).containsExactly(second);
    }

    @Test
    void layerNormByHand() {
        // Two channels at one position: 1 and 3 -> mean 2, biased variance 1 -> -1, 1.
        float[] z = new float[2];
        LayerNormReference.forward(new float[] {1, 3}, 1, 2, 1, new float[] {1, 1}, new float[] {0, 0}, 0, z);
        assertThat(z).containsExactly(-1f, 1f);
        // eps 3 makes the divisor sqrt(1 + 3) = 2: -0.5, 0.5; then gamma (2, 4) and beta (1, 0): 0, 2.
        LayerNormReference.forward(new float[] {1, 3}, 1, 2, 1, new float[] {2, 4}, new float[] {1, 0}, 3, z);
        assertThat(z).containsExactly(0f, 2f);
    }

    @Test
    void layerNormNormalisesEachPositionOverChannelsOnly() {
        // 3 channels x 2 positions, laid out NCHW: position 0 holds 1, 2, 3; position 1 holds 10, 10, 40.
        // Position 0: mean 2, var 2/3 -> (-1, 0, 1) / sqrt(2/3). Position 1: mean 20, var (100+100+400)/3 = 200
        // -> (-10, -10, 20) / sqrt(200). Were positions mixed, position 1's large values would leak into position 0.
        float[] y = new float[6];
        float[] ones = {1, 1, 1}, zeros = {0, 0, 0};
        LayerNormReference.forward(new float[] {1, 10, 2, 10, 3, 40}, 1, 3, 2, ones, zeros, 0, y);
        double a = 1 / Math.sqrt(2.0 / 3), b = 10 / Math.sqrt(200);
        // Both sides round once from double; 1e-6 covers the last-bit difference in order of operations.
        float[] expected = {(float) -a, (float) -b, 0, (float) -b, (float) a, (float) (2 * b)};
        for (int i = 0; i < 6; i++) assertThat(y[i]).isCloseTo(expected[i], within(1e-6f));
    }

    @Test
    void layerNormOutputHasZeroMeanAndUnitBiasedVariance() {
        // Property of the definition, checked on random data with gamma 1, beta 0, eps 0; float output, so 1e-6.
        int c = 7, spatial = 5;
        float[] y = new float[2 * c * spatial];
        float[] ones = new float[c];
        java.util.Arrays.fill(ones, 1);
        LayerNormReference.forward(random(y.length, 42), 2, c, spatial, ones, new float[c], 0, y);
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < spatial; i++) {
                double mean = 0, sq = 0;
                for (int ch = 0; ch < c; ch++) {
                    double v = y[(n * c + ch) * spatial + i];
                    mean += v;
                    sq += v * v;
                }
                assertThat(mean / c).isCloseTo(0, within(1e-6));
                assertThat(sq / c).isCloseTo(1, within(1e-6));
            }
        }
    }

    @Test
    void scaleByHandAndAsBatchNormWithUnitStatistics() {
        // Channel 0 times 2, channel 1 times -0.5.
        float[] y = new float[4];
        ScaleReference.forward(new float[] {1, 3, 4, -8}, 1, 2, 2, new float[] {2, -0.5f}, y);
        assertThat(y).containsExactly(2f, 6f, -2f, 4f);
        // Batch norm with mean 0, variance 1, eps 0, beta 0 is the same per-channel multiply.
        float[] x = random(2 * 3 * 4, 43);
        float[] w = {0.3f, -1.7f, 2.5f};
        float[] s = new float[24];
        float[] bn = new float[24];
        ScaleReference.forward(x, 2, 3, 4, w, s);
        BatchNormReference.forward(x, 2, 3, 4, w, new float[3], new float[3], new float[] {1, 1, 1}, 0, bn);
        assertThat(s).containsExactly(bn);
    }
}
