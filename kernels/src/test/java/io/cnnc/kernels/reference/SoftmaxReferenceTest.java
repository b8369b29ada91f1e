package io.cnnc.kernels.reference;

import static io.cnnc.kernels.reference.TestArrays.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Softmax over channels; outputs are floats near 1, so one float rounding step is 6e-8: tolerances 1e-7. */
class SoftmaxReferenceTest {

    @Test
    void byHand() {
        // Logits 0, ln 2, ln 3: exponentials 1, 2, 3, so probabilities 1/6, 2/6, 3/6.
        float[] y = new float[3];
        SoftmaxReference.channels(new float[] {0, (float) Math.log(2), (float) Math.log(3)}, 1, 3, 1, y);
        assertThat(y[0]).isCloseTo(1f / 6, within(1e-7f));
        assertThat(y[1]).isCloseTo(2f / 6, within(1e-7f));
        assertThat(y[2]).isCloseTo(3f / 6, within(1e-7f));
    }

    @Test
    void isStableForHugeLogits() {
        // exp(1000) overflows unless the maximum is subtracted first; then p = e^0, e^0, e^-1 over 2 + e^-1:
        // 1 / 2.36787944 = 0.42231879825, e^-1 / 2.36787944 = 0.15536240349.
        float[] y = new float[3];
        SoftmaxReference.channels(new float[] {1000, 1000, 999}, 1, 3, 1, y);
        assertThat(y[0]).isCloseTo(0.42231879825f, within(1e-7f));
        assertThat(y[1]).isCloseTo(0.42231879825f, within(1e-7f));
        assertThat(y[2]).isCloseTo(0.15536240349f, within(1e-7f));
    }

    @Test
    void normalisesEachPositionOverChannelsAndIgnoresShifts() {
        // NCHW with 4 channels, 3 positions, 2 samples: the 4 values at each position sum to 1, and adding
        // a constant to every channel at a position leaves it unchanged (up to float rounding of the inputs).
        int c = 4, spatial = 3;
        float[] x = random(2 * c * spatial, 51);
        float[] y = new float[x.length];
        SoftmaxReference.channels(x, 2, c, spatial, y);
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < spatial; i++) {
                double sum = 0;
                for (int ch = 0; ch < c; ch++) sum += y[(n * c + ch) * spatial + i];
                assertThat(sum).isCloseTo(1, within(4e-7));
            }
        }
        float[] shifted = x.clone();
        for (int ch = 0; ch < c; ch++) shifted[ch * spatial + 1] += 0.5f;  // sample 0, position 1
        float[] z = new float[x.length];
        SoftmaxReference.channels(shifted, 2, c, spatial, z);
        for (int i = 0; i < x.length; i++) assertThat(z[i]).isCloseTo(y[i], within(1e-7f));
    }
}
