package io.cnnc.kernels.reference;

import static io.cnnc.kernels.reference.TestArrays.filled;
import static io.cnnc.kernels.reference.TestArrays.iota;
import static io.cnnc.kernels.reference.TestArrays.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.kernels.ConvGeometry;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Convolution by hand on small integers (exact in float, so compared exactly) and against
 * other formulations of the same sum. The cross-checks compare two double sums of the same
 * float products, each rounded once to float; they can differ only when the order of the
 * double additions moves a result across a float rounding boundary, hence 1e-6 on O(1) values.
 */
class ConvReferenceTest {

    private static final float SAME_SUM = 1e-6f;

    private static ConvGeometry geometry(int inC, int inH, int inW, int outC, int k, int stride, int pad, int dilation, int groups) {
        return new ConvGeometry(inC, inH, inW, outC, k, k, stride, stride, pad, pad, pad, pad, dilation, dilation, groups);
    }

    @Test
    void windowSumsByHand() {
        // x = [[1,2,3],[4,5,6],[7,8,9]], 2x2 kernel of ones, bias 1: 1+2+4+5+1 = 13, 2+3+5+6+1 = 17, 4+5+7+8+1 = 25, 5+6+8+9+1 = 29.
        float[] y = new float[4];
        ConvReference.forward(iota(9), 1, geometry(1, 3, 3, 1, 2, 1, 0, 1, 1), filled(4, 1), new float[] {1}, y);
        assertThat(y).containsExactly(13, 17, 25, 29);
    }

    @Test
    void kernelIsNotFlipped() {
        // Cross-correlation, as in PyTorch: kernel [[1,10],[100,1000]] on the top-left 2x2 of iota(9)
        // gives 1*1 + 2*10 + 4*100 + 5*1000 = 5421 (a flipped kernel would give 1000+200+40+5 = 1245).
        float[] y = new float[4];
        ConvReference.forward(iota(9), 1, geometry(1, 3, 3, 1, 2, 1, 0, 1, 1), new float[] {1, 10, 100, 1000}, null, y);
        assertThat(y[0]).isEqualTo(5421);
    }

    @Test
    void paddingAndStrideByHand() {
        // Same x, 3x3 ones, pad 1, stride 2: the four outputs sit on the corners and see 2x2 of the input:
        // 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28.
        float[] y = new float[4];
        ConvReference.forward(iota(9), 1, geometry(1, 3, 3, 1, 3, 2, 1, 1, 1), filled(9, 1), null, y);
        assertThat(y).containsExactly(12, 16, 24, 28);
    }

    @Test
    void asymmetricPaddingByHand() {
        // Row [1,2,3], kernel 1x2 = [1,10], one column of padding on the left only: out width 3+1-2+1 = 3.
        // Windows [pad,1] -> 0*1 + 1*10 = 10, [1,2] -> 1 + 20 = 21, [2,3] -> 2 + 30 = 32.
        float[] y = new float[3];
        ConvReference.forward(iota(3), 1, new ConvGeometry(1, 1, 3, 1, 1, 2, 1, 1, 0, 1, 0, 0, 1, 1, 1),
                new float[] {1, 10}, null, y);
        assertThat(y).containsExactly(10, 21, 32);
    }

    @Test
    void dilationByHand() {
        // Row [1..5], kernel 1x2 = [1,1] dilated 3: taps 3 apart, out width 5 - 3*1 - 1 + 1 = 2: 1+4 = 5, 2+5 = 7.
        float[] y = new float[2];
        ConvReference.forward(iota(5), 1, new ConvGeometry(1, 1, 5, 1, 1, 2, 1, 1, 0, 0, 0, 0, 1, 3, 1),
                new float[] {1, 1}, null, y);
        assertThat(y).containsExactly(5, 7);
    }

    @Test
    void depthwiseWithMultiplierByHand() {
        // groups = inC = 2, outC = 4: outputs 0,1 read channel 0, outputs 2,3 read channel 1 (PyTorch's order).
        // 1x1 kernels 1, 2, 3, 4; channel 0 = [1,2], channel 1 = [10,20]; biases 0.5 each.
        float[] y = new float[8];
        ConvReference.forward(new float[] {1, 2, 10, 20}, 1, geometry(2, 1, 2, 4, 1, 1, 0, 1, 2),
                new float[] {1, 2, 3, 4}, filled(4, 0.5f), y);
        assertThat(y).containsExactly(1.5f, 2.5f, 2.5f, 4.5f, 30.5f, 60.5f, 40.5f, 80.5f);
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
                for (int o = 0; o < k; o++) assertThat(conv[(n * k + o) * hw + p]).isCloseTo(out[o], within(SAME_SUM));
            }
        }
    }

    @Test
    void fullWindowConvIsDense() {
        // A kernel as large as the input, no padding: one output per filter, the dot product with the
        // flattened sample, which is exactly what dense computes on [C, H, W] in NCHW order.
        float[] x = random(2 * 3 * 4 * 5, 21);
        float[] w = random(6 * 3 * 4 * 5, 22);
        float[] b = random(6, 23);
        float[] conv = new float[2 * 6];
        float[] dense = new float[2 * 6];
        ConvReference.forward(x, 2, new ConvGeometry(3, 4, 5, 6, 4, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1), w, b, conv);
        DenseReference.forward(x, 2, 60, 6, w, b, dense);
        for (int i = 0; i < conv.length; i++) assertThat(conv[i]).isCloseTo(dense[i], within(SAME_SUM));
    }

    @Test
    void groupedConvIsSeparateConvsConcatenated() {
        // groups=2: channels [0,4) -> outputs [0,2), channels [4,8) -> outputs [2,4).
        float[] x = random(8 * 25, 4);
        float[] w = random(4 * 4 * 9, 5);
        float[] grouped = new float[4 * 9];
        ConvReference.forward(x, 1, geometry(8, 5, 5, 4, 3, 1, 0, 1, 2), w, null, grouped);
        for (int g = 0; g < 2; g++) {
            float[] part = Arrays.copyOfRange(x, g * 4 * 25, (g + 1) * 4 * 25);
            float[] pw = Arrays.copyOfRange(w, g * 2 * 36, (g + 1) * 2 * 36);
            float[] out = new float[2 * 9];
            ConvReference.forward(part, 1, geometry(4, 5, 5, 2, 3, 1, 0, 1, 1), pw, null, out);
            for (int i = 0; i < out.length; i++) assertThat(grouped[g * 18 + i]).isCloseTo(out[i], within(SAME_SUM));
        }
    }

    @Test
    void depthwiseIsOneSingleChannelConvPerOutput() {
        // groups = inC = 3, multiplier 2, stride 2, pad 1: output o is a 1-channel conv of input channel o / 2.
        int c = 3, m = 2;
        float[] x = random(c * 7 * 6, 24);
        float[] w = random(c * m * 9, 25);
        float[] b = random(c * m, 26);
        ConvGeometry g = geometry(c, 7, 6, c * m, 3, 2, 1, 1, c);
        int plane = g.outH() * g.outW();
        float[] y = new float[c * m * plane];
        ConvReference.forward(x, 1, g, w, b, y);
        for (int o = 0; o < c * m; o++) {
            float[] single = new float[plane];
            ConvReference.forward(Arrays.copyOfRange(x, (o / m) * 42, (o / m + 1) * 42), 1, geometry(1, 7, 6, 1, 3, 2, 1, 1, 1),
                    Arrays.copyOfRange(w, o * 9, (o + 1) * 9), new float[] {b[o]}, single);
            for (int i = 0; i < plane; i++) assertThat(y[o * plane + i]).isCloseTo(single[i], within(SAME_SUM));
        }
    }

    @Test
    void dilatedConvIsConvWithZeroInsertedKernel() {
        float[] x = random(2 * 9 * 9, 6);
        float[] w = random(3 * 2 * 9, 7);
        float[] dilated = new float[3 * 5 * 5];
        ConvReference.forward(x, 1, geometry(2, 9, 9, 3, 3, 1, 0, 2, 1), w, null, dilated);
        float[] wide = new float[3 * 2 * 25];
        for (int oc = 0; oc < 6; oc++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) wide[oc * 25 + ky * 2 * 5 + kx * 2] = w[oc * 9 + ky * 3 + kx];
            }
        }
        float[] out = new float[3 * 5 * 5];
        ConvReference.forward(x, 1, geometry(2, 9, 9, 3, 5, 1, 0, 1, 1), wide, null, out);
        // The inserted zeros add exact zeros to the same products: identical sums, identical floats.
        assertThat(dilated).containsExactly(out);
    }

    @Test
    void strideTwoIsStrideOneSubsampled() {
        float[] x = random(3 * 10 * 11, 8);
        float[] w = random(2 * 3 * 9, 9);
        float[] s1 = new float[2 * 10 * 11];
        float[] s2 = new float[2 * 5 * 6];
        ConvReference.forward(x, 1, geometry(3, 10, 11, 2, 3, 1, 1, 1, 1), w, null, s1);
        ConvReference.forward(x, 1, geometry(3, 10, 11, 2, 3, 2, 1, 1, 1), w, null, s2);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 5; y++) {
                for (int xx = 0; xx < 6; xx++) assertThat(s2[(c * 5 + y) * 6 + xx]).isEqualTo(s1[(c * 10 + 2 * y) * 11 + 2 * xx]);
            }
        }
    }

    @Test
    void paddingIsTheSameAsConvolvingAZeroPaddedInput() {
        // Pads top 2, left 0, bottom 1, right 3: copy x into a zero canvas and convolve without padding.
        int c = 2, h = 5, w = 4, top = 2, left = 0, bottom = 1, right = 3;
        float[] x = random(c * h * w, 10);
        float[] k = random(3 * c * 6, 11);
        int ph = h + top + bottom, pw = w + left + right;
        float[] canvas = new float[c * ph * pw];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h; i++) System.arraycopy(x, (ch * h + i) * w, canvas, (ch * ph + i + top) * pw + left, w);
        }
        ConvGeometry padded = new ConvGeometry(c, h, w, 3, 3, 2, 2, 1, top, left, bottom, right, 1, 1, 1);
        ConvGeometry explicit = new ConvGeometry(c, ph, pw, 3, 3, 2, 2, 1, 0, 0, 0, 0, 1, 1, 1);
        assertThat(padded.outH()).isEqualTo(explicit.outH());
        assertThat(padded.outW()).isEqualTo(explicit.outW());
        float[] a = new float[3 * padded.outH() * padded.outW()];
        float[] b = new float[a.length];
        ConvReference.forward(x, 1, padded, k, null, a);
        ConvReference.forward(canvas, 1, explicit, k, null, b);
        // Skipped padding and multiplied zeros give the same double sum: identical floats.
        assertThat(a).containsExactly(b);
    }

    @Test
    void samplesInABatchAreIndependent() {
        ConvGeometry g = geometry(3, 6, 5, 4, 3, 1, 1, 1, 1);
        int in = 3 * 30, out = 4 * 30;
        float[] x = random(2 * in, 12);
        float[] w = random(4 * 3 * 9, 13);
        float[] both = new float[2 * out];
        ConvReference.forward(x, 2, g, w, null, both);
        for (int n = 0; n < 2; n++) {
            float[] one = new float[out];
            ConvReference.forward(Arrays.copyOfRange(x, n * in, (n + 1) * in), 1, g, w, null, one);
            assertThat(Arrays.copyOfRange(both, n * out, (n + 1) * out)).containsExactly(one);
        }
    }
}
