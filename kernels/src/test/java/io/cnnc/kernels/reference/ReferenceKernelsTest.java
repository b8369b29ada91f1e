package io.cnnc.kernels.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.PoolGeometry;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hand-computed cases and cross-checks between kernels; PyTorch checks live in the runtime's fixture tests. */
class ReferenceKernelsTest {

    private static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = i + 1;
        return a;
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Test
    void convByHand() {
        // x = [[1,2,3],[4,5,6],[7,8,9]], 2x2 kernel of ones, bias 1: window sums + 1.
        float[] y = new float[4];
        ConvReference.forward(iota(9), 1, new ConvGeometry(1, 3, 3, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new float[] {1, 1, 1, 1}, new float[] {1}, y);
        assertThat(y).containsExactly(13, 17, 25, 29);
    }

    @Test
    void convPaddingAndStrideByHand() {
        // same x, 3x3 ones, pad 1, stride 2: corners see 2x2 windows: 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
        float[] y = new float[4];
        float[] w = new float[9];
        java.util.Arrays.fill(w, 1);
        ConvReference.forward(iota(9), 1, new ConvGeometry(1, 3, 3, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1), w, null, y);
        assertThat(y).containsExactly(12, 16, 24, 28);
    }

    @Test
    void pointwiseConvIsDensePerPixel() {
        int c = 5, k = 3, hw = 7 * 6;
        float[] x = random(2 * c * hw, 1);
        float[] w = random(k * c, 2);
        float[] b = random(k, 3);
        float[] conv = new float[2 * k * hw];
        ConvReference.forward(x, 2, new ConvGeometry(c, 7, 6, k, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1), w, b, conv);
        for (int n = 0; n < 2; n++) {
            for (int p = 0; p < hw; p++) {
                float[] pixel = new float[c];
                for (int ch = 0; ch < c; ch++) pixel[ch] = x[(n * c + ch) * hw + p];
                float[] out = new float[k];
                DenseReference.forward(pixel, 1, c, k, w, b, out);
                for (int o = 0; o < k; o++) assertThat(conv[(n * k + o) * hw + p]).isCloseTo(out[o], within(1e-6f));
            }
        }
    }

    @Test
    void groupedConvIsSeparateConvsConcatenated() {
        // groups=2: channels [0,4) -> outputs [0,2), channels [4,8) -> outputs [2,4).
        float[] x = random(8 * 25, 4);
        float[] w = random(4 * 4 * 9, 5);
        float[] grouped = new float[4 * 9];
        ConvReference.forward(x, 1, new ConvGeometry(8, 5, 5, 4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 2), w, null, grouped);
        for (int g = 0; g < 2; g++) {
            float[] part = java.util.Arrays.copyOfRange(x, g * 4 * 25, (g + 1) * 4 * 25);
            float[] pw = java.util.Arrays.copyOfRange(w, g * 2 * 36, (g + 1) * 2 * 36);
            float[] out = new float[2 * 9];
            ConvReference.forward(part, 1, new ConvGeometry(4, 5, 5, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1), pw, null, out);
            for (int i = 0; i < out.length; i++) assertThat(grouped[g * 18 + i]).isCloseTo(out[i], within(1e-6f));
        }
    }

    @Test
    void dilatedConvIsConvWithZeroInsertedKernel() {
        float[] x = random(2 * 9 * 9, 6);
        float[] w = random(3 * 2 * 9, 7);
        float[] dilated = new float[3 * 5 * 5];
        ConvReference.forward(x, 1, new ConvGeometry(2, 9, 9, 3, 3, 3, 1, 1, 0, 0, 0, 0, 2, 2, 1), w, null, dilated);
        float[] wide = new float[3 * 2 * 25];
        for (int oc = 0; oc < 6; oc++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) wide[oc * 25 + ky * 2 * 5 + kx * 2] = w[oc * 9 + ky * 3 + kx];
            }
        }
        float[] out = new float[3 * 5 * 5];
        ConvReference.forward(x, 1, new ConvGeometry(2, 9, 9, 3, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1), wide, null, out);
        for (int i = 0; i < out.length; i++) assertThat(dilated[i]).isCloseTo(out[i], within(1e-6f));
    }

    @Test
    void strideTwoIsStrideOneSubsampled() {
        float[] x = random(3 * 10 * 11, 8);
        float[] w = random(2 * 3 * 9, 9);
        float[] s1 = new float[2 * 10 * 11];
        float[] s2 = new float[2 * 5 * 6];
        ConvReference.forward(x, 1, new ConvGeometry(3, 10, 11, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), w, null, s1);
        ConvReference.forward(x, 1, new ConvGeometry(3, 10, 11, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1), w, null, s2);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 5; y++) {
                for (int xx = 0; xx < 6; xx++) assertThat(s2[(c * 5 + y) * 6 + xx]).isEqualTo(s1[(c * 10 + 2 * y) * 11 + 2 * xx]);
            }
        }
    }

    @Test
    void poolingByHand() {
        // 4x4 iota, 2x2 windows stride 2.
        float[] max = new float[4];
        float[] avg = new float[4];
        PoolGeometry g = new PoolGeometry(1, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, false);
        MaxPoolReference.forward(iota(16), 1, g, max);
        AvgPoolReference.forward(iota(16), 1, g, avg);
        assertThat(max).containsExactly(6, 8, 14, 16);
        assertThat(avg).containsExactly(3.5f, 5.5f, 11.5f, 13.5f);
    }

    @Test
    void avgPoolCountsPaddingButNotPastIt() {
        // x = [1, 2, 3] as 1x3, kernel (1,2), stride 2, pad (0,1), ceil: windows [-1,1) [1,3) [3,5).
        // PyTorch divisors: [pad,1] -> 2, [2,3] -> 2, [pad] -> min(5, 3+1)-3 = 1.
        float[] y = new float[3];
        AvgPoolReference.forward(new float[] {1, 2, 3}, 1, new PoolGeometry(1, 1, 3, 1, 2, 1, 2, 0, 1, 0, 1, true), y);
        assertThat(y).containsExactly(0.5f, 2.5f, 0f);
    }

    @Test
    void adaptivePoolBinsOverlapLikePyTorch() {
        // in 5 -> out 3: bins [0,2) [1,4) [3,5).
        float[] y = new float[3];
        AdaptiveAvgPoolReference.forward(iota(5), 1, 1, 1, 5, 1, 3, y);
        assertThat(y).containsExactly(1.5f, 3f, 4.5f);
    }

    @Test
    void normsByHand() {
        // bn: (x - 1) / sqrt(4 + 0) * 2 + 3 on channel 0.
        float[] y = new float[2];
        BatchNormReference.forward(new float[] {5, 1}, 1, 1, 2, new float[] {2}, new float[] {3}, new float[] {1}, new float[] {4}, 0, y);
        assertThat(y).containsExactly(7f, 3f);
        // layernorm over 2 channels at one position: values 1 and 3 -> mean 2, var 1 -> -1, 1.
        float[] z = new float[2];
        LayerNormReference.forward(new float[] {1, 3}, 1, 2, 1, new float[] {1, 1}, new float[] {0, 0}, 0, z);
        assertThat(z).containsExactly(-1f, 1f);
    }

    @Test
    void activationsAtKnownPoints() {
        assertThat(ActivationReference.apply(ActivationKind.RELU6, 0, 7)).isEqualTo(6);
        assertThat(ActivationReference.apply(ActivationKind.LEAKY_RELU, 0.1, -2)).isCloseTo(-0.2, within(1e-15));
        assertThat(ActivationReference.apply(ActivationKind.SIGMOID, 0, 0)).isEqualTo(0.5);
        assertThat(ActivationReference.apply(ActivationKind.HARDSWISH, 0, 1)).isCloseTo(4.0 / 6, within(1e-15));
        assertThat(ActivationReference.apply(ActivationKind.HARDSWISH, 0, -3)).isEqualTo(0);
        // gelu(1) = 0.5 * (1 + erf(1/sqrt 2)) = 0.8413447460685429
        assertThat(ActivationReference.apply(ActivationKind.GELU, 0, 1)).isCloseTo(0.8413447460685429, within(1e-15));
        assertThat(ActivationReference.apply(ActivationKind.SILU, 0, 1)).isCloseTo(0.7310585786300049, within(1e-15));
    }

    @Test
    void softmaxIsStableAndSumsToOne() {
        float[] y = new float[3];
        // exp(1000) overflows unless the maximum is subtracted; then p = e^0, e^0, e^-1 over 2 + e^-1.
        SoftmaxReference.channels(new float[] {1000, 1000, 999}, 1, 3, 1, y);
        assertThat(y[0]).isCloseTo(0.42231879825f, within(1e-7f));
        assertThat(y[2]).isCloseTo(0.15536240349f, within(1e-7f));
    }

    @Test
    void concatAndBroadcastMultiply() {
        float[] y = new float[2 * 3 * 2];
        ConcatReference.channels(new float[][] {{1, 2, 3, 4}, {5, 6, 7, 8, 9, 10, 11, 12}}, new int[] {1, 2}, 2, 2, y);
        assertThat(y).containsExactly(1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12);
        float[] m = new float[4];
        MulReference.forward(new float[] {1, 2, 3, 4}, new float[] {10, 100}, 1, 2, 2, true, m);
        assertThat(m).containsExactly(10, 20, 300, 400);
    }
}
