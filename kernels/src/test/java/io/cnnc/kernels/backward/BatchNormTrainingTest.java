package io.cnnc.kernels.backward;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batch norm in training mode against its formulas evaluated in double on the same float
 * inputs, including activations whose mean is far above their spread (1000 + 0.01 noise), where
 * multiplying before centring would cancel away about 1% of each output.
 */
class BatchNormTrainingTest {

    @ParameterizedTest
    @CsvSource({"0, 1", "1000, 0.01", "-50, 3"})
    void forwardAndBackwardMatchTheFormulasInDouble(double offset, double spread) {
        int batch = 3, channels = 2, spatial = 37;
        int count = batch * spatial;
        Random r = new Random(7);
        float[] x = new float[batch * channels * spatial];
        float[] dy = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (offset + spread * r.nextGaussian());
            dy[i] = (float) r.nextGaussian();
        }
        float[] gamma = {1.5f, -0.5f};
        float[] beta = {0.25f, 2f};
        float[] runningMean = {0, 0};
        float[] runningVar = {1, 1};
        float[] y = new float[x.length];
        float[] mean = new float[channels];
        float[] invStd = new float[channels];
        BatchNormTraining.forward(x, batch, channels, spatial, gamma, beta, runningMean, runningVar, 1e-5, 0.1, y, mean, invStd, false);
        float[] dx = new float[x.length];
        float[] dgamma = new float[channels];
        float[] dbeta = new float[channels];
        BatchNormTraining.backward(x, dy, null, batch, channels, spatial, gamma, mean, invStd, dx, dgamma, dbeta);

        for (int c = 0; c < channels; c++) {
            double m = 0;
            for (int n = 0; n < batch; n++) for (int i = 0; i < spatial; i++) m += x[(n * channels + c) * spatial + i];
            m /= count;
            double v = 0;
            for (int n = 0; n < batch; n++) for (int i = 0; i < spatial; i++) v += Math.pow(x[(n * channels + c) * spatial + i] - m, 2);
            double var = v / count;
            double is = 1 / Math.sqrt(var + 1e-5);
            assertThat((double) runningVar[c]).as("running var").isCloseTo(0.9 + 0.1 * v / (count - 1), org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * v / count));
            // The backward uses the saved (float) statistics, as PyTorch's does.
            double sm = mean[c];
            double si = invStd[c];
            double sumDy = 0, sumDyXhat = 0;
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < spatial; i++) {
                    int at = (n * channels + c) * spatial + i;
                    assertThat((double) y[at]).as("y[%d]", at).isCloseTo((x[at] - m) * is * gamma[c] + beta[c], org.assertj.core.data.Offset.offset(2e-5));
                    sumDy += dy[at];
                    sumDyXhat += dy[at] * (x[at] - sm) * si;
                }
            }
            assertThat((double) dbeta[c]).isCloseTo(sumDy, org.assertj.core.data.Offset.offset(1e-4));
            assertThat((double) dgamma[c]).isCloseTo(sumDyXhat, org.assertj.core.data.Offset.offset(1e-4));
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < spatial; i++) {
                    int at = (n * channels + c) * spatial + i;
                    double xhat = (x[at] - sm) * si;
                    double want = gamma[c] * si / count * (count * dy[at] - sumDy - xhat * sumDyXhat);
                    // |dx| grows with gamma/spread: 1e-5 of it.
                    assertThat((double) dx[at]).as("dx[%d]", at).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(gamma[c]) * si));
                }
            }
        }
    }

    /** The training memory plan drops batch norm's output and rebuilds it: the rebuild must be the forward's very bits, ReLU or not. */
    @ParameterizedTest
    @CsvSource({"0, 1, false", "1000, 0.01, true", "-50, 3, true"})
    void recomputeRepeatsTheForwardsOutputBitForBit(double offset, double spread, boolean relu) {
        int batch = 4, channels = 3, spatial = 53;
        Random r = new Random(11);
        float[] x = new float[batch * channels * spatial];
        for (int i = 0; i < x.length; i++) x[i] = (float) (offset + spread * r.nextGaussian());
        float[] gamma = {1.5f, -0.5f, 0.75f};
        float[] beta = {0.25f, 2f, -0.1f};
        float[] y = new float[x.length];
        var saved = new BatchNormTraining.Saved(new float[channels], new float[channels], new float[channels], new float[channels]);
        BatchNormTraining.forward(x, batch, channels, spatial, gamma, beta, new float[channels], new float[channels], 1e-5, 0.1, y, saved, relu);
        float[] again = new float[x.length];
        java.util.Arrays.fill(again, Float.NaN);
        BatchNormTraining.recompute(x, batch, channels, spatial, saved.mean(), saved.meanLow(), saved.scale(), beta, again, relu);
        assertThat(again).containsExactly(y);
        if (relu) assertThat(y).contains(0f);
    }
}
