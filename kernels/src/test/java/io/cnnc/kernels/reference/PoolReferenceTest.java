package io.cnnc.kernels.reference;

import static io.cnnc.kernels.reference.TestArrays.filled;
import static io.cnnc.kernels.reference.TestArrays.iota;
import static io.cnnc.kernels.reference.TestArrays.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.PoolGeometry;
import org.junit.jupiter.api.Test;

/**
 * Max, average, global and adaptive pooling. Hand cases use small integers and halves, exact in
 * float. Cross-checks between two double sums of the same floats, rounded once each, may differ
 * by a float rounding step: 1e-6 on O(1) values.
 */
class PoolReferenceTest {

    private static final float SAME_SUM = 1e-6f;

    private static PoolGeometry square(int c, int h, int w, int k, int stride, int pad, boolean ceil) {
        return new PoolGeometry(c, h, w, k, k, stride, stride, pad, pad, pad, pad, ceil);
    }

    @Test
    void maxAndAverageByHand() {
        // 4x4 iota, 2x2 windows stride 2: maxima are the bottom-right corners 6, 8, 14, 16;
        // means (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5, (9+10+13+14)/4 = 11.5, (11+12+15+16)/4 = 13.5.
        float[] max = new float[4];
        float[] avg = new float[4];
        PoolGeometry g = square(1, 4, 4, 2, 2, 0, false);
        MaxPoolReference.forward(iota(16), 1, g, max);
        AvgPoolReference.forward(iota(16), 1, g, avg);
        assertThat(max).containsExactly(6, 8, 14, 16);
        assertThat(avg).containsExactly(3.5f, 5.5f, 11.5f, 13.5f);
    }

    @Test
    void maxPoolPaddingNeverWins() {
        // x = -[[1,2,3],[4,5,6],[7,8,9]], 3x3 window, stride 1, pad 1. Were padding read as 0, every
        // border output would be 0. Each output is instead the largest input its window covers, the one
        // nearest the top-left: rows 0-1 and cols 0-1 of the window for the corner (0,0) give -1, the
        // right column of outputs never sees column 0 (-2 from (0,1)), the bottom row never row 0 (-4, -4, -5).
        float[] x = iota(9);
        for (int i = 0; i < 9; i++) x[i] = -x[i];
        float[] y = new float[9];
        MaxPoolReference.forward(x, 1, square(1, 3, 3, 3, 1, 1, false), y);
        assertThat(y).containsExactly(-1, -1, -2, -1, -1, -2, -4, -4, -5);
    }

    @Test
    void maxPoolPropagatesNaN() {
        // As PyTorch: a NaN in the window makes the maximum NaN, wherever it sits.
        float[] y = new float[1];
        MaxPoolReference.forward(new float[] {Float.NaN, 1, 2, 3}, 1, square(1, 2, 2, 2, 2, 0, false), y);
        assertThat(y[0]).isNaN();
        MaxPoolReference.forward(new float[] {1, 2, 3, Float.NaN}, 1, square(1, 2, 2, 2, 2, 0, false), y);
        assertThat(y[0]).isNaN();
    }

    @Test
    void ceilModeKeepsThePartialLastWindow() {
        // Row [1..5], window 2 stride 2, ceil: windows [1,2] [3,4] [5]: max 2, 4, 5; mean 1.5, 3.5 and,
        // without padding, PyTorch's divisor for the last is min(4+2, 5) - 4 = 1, so 5.
        PoolGeometry g = new PoolGeometry(1, 1, 5, 1, 2, 1, 2, 0, 0, 0, 0, true);
        assertThat(g.outW()).isEqualTo(3);
        float[] max = new float[3];
        float[] avg = new float[3];
        MaxPoolReference.forward(iota(5), 1, g, max);
        AvgPoolReference.forward(iota(5), 1, g, avg);
        assertThat(max).containsExactly(2, 4, 5);
        assertThat(avg).containsExactly(1.5f, 3.5f, 5f);
    }

    @Test
    void avgPoolCountsPadding() {
        // Row [3,6,9], window 3, stride 1, pad 1 (count_include_pad): [pad,3,6]/3 = 3, [3,6,9]/3 = 6, [6,9,pad]/3 = 5.
        float[] y = new float[3];
        AvgPoolReference.forward(new float[] {3, 6, 9}, 1, new PoolGeometry(1, 1, 3, 1, 3, 1, 1, 0, 1, 0, 1, false), y);
        assertThat(y).containsExactly(3, 6, 5);
    }

    @Test
    void avgPoolCountsPaddingButNotPastIt() {
        // x = [1, 2, 3] as 1x3, kernel (1,2), stride 2, pad (0,1), ceil: windows start at -1, 1, 3.
        // PyTorch's divisor is (min(start + 2, 3 + 1) - start): [pad,1] -> 2, [2,3] -> 2, [pad] -> 4 - 3 = 1.
        // Sums 0+1, 2+3, 0: results 0.5, 2.5, 0.
        float[] y = new float[3];
        AvgPoolReference.forward(new float[] {1, 2, 3}, 1, new PoolGeometry(1, 1, 3, 1, 2, 1, 2, 0, 1, 0, 1, true), y);
        assertThat(y).containsExactly(0.5f, 2.5f, 0f);
    }

    @Test
    void avgPoolIsConvWithConstantWeightsWithoutPadding() {
        // Per channel: a depthwise conv whose 3x3 weights are all 1/9, stride 2.
        int c = 3;
        float[] x = random(2 * c * 9 * 8, 31);
        PoolGeometry pg = square(c, 9, 8, 3, 2, 0, false);
        ConvGeometry cg = new ConvGeometry(c, 9, 8, c, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, c);
        float[] pooled = new float[2 * c * pg.outH() * pg.outW()];
        float[] conv = new float[pooled.length];
        AvgPoolReference.forward(x, 2, pg, pooled);
        ConvReference.forward(x, 2, cg, filled(c * 9, 1f / 9), null, conv);
        // 1/9 is rounded in the conv weights (relative 3e-8), division by 9 in the pool is exact-then-rounded.
        for (int i = 0; i < pooled.length; i++) assertThat(pooled[i]).isCloseTo(conv[i], within(SAME_SUM));
    }

    @Test
    void globalPoolsByHand() {
        // Two channels of [1,2,3,4] and [-5,7,0,2]: means 2.5 and 1, maxima 4 and 7.
        float[] x = {1, 2, 3, 4, -5, 7, 0, 2};
        float[] avg = new float[2];
        float[] max = new float[2];
        GlobalPoolReference.average(x, 1, 2, 4, avg);
        GlobalPoolReference.max(x, 1, 2, 4, max);
        assertThat(avg).containsExactly(2.5f, 1f);
        assertThat(max).containsExactly(4f, 7f);
    }

    @Test
    void globalPoolsAreFullWindowPools() {
        float[] x = random(2 * 3 * 5 * 7, 32);
        PoolGeometry whole = new PoolGeometry(3, 5, 7, 5, 7, 1, 1, 0, 0, 0, 0, false);
        float[] a = new float[6];
        float[] b = new float[6];
        GlobalPoolReference.max(x, 2, 3, 35, a);
        MaxPoolReference.forward(x, 2, whole, b);
        assertThat(a).containsExactly(b);
        GlobalPoolReference.average(x, 2, 3, 35, a);
        AvgPoolReference.forward(x, 2, whole, b);
        assertThat(a).containsExactly(b);  // the same double sum over the same order, divided by 35
        AdaptiveAvgPoolReference.forward(x, 2, 3, 5, 7, 1, 1, b);
        assertThat(a).containsExactly(b);
    }

    @Test
    void adaptivePoolBinsOverlapLikePyTorch() {
        // in 5 -> out 3: bins [floor(0), ceil(5/3)) = [0,2), [floor(5/3), ceil(10/3)) = [1,4), [floor(10/3), 5) = [3,5).
        // Means of iota: (1+2)/2 = 1.5, (2+3+4)/3 = 3, (4+5)/2 = 4.5.
        float[] y = new float[3];
        AdaptiveAvgPoolReference.forward(iota(5), 1, 1, 1, 5, 1, 3, y);
        assertThat(y).containsExactly(1.5f, 3f, 4.5f);
        // in 7 -> out 3: [0, ceil(7/3)=3), [floor(7/3)=2, ceil(14/3)=5), [floor(14/3)=4, 7): means 2, 4, 6.
        AdaptiveAvgPoolReference.forward(iota(7), 1, 1, 1, 7, 1, 3, y);
        assertThat(y).containsExactly(2f, 4f, 6f);
        // Rows and columns bin independently: 2x4 -> 1x2 averages each 2x2 half: (1+2+5+6)/4, (3+4+7+8)/4.
        float[] z = new float[2];
        AdaptiveAvgPoolReference.forward(iota(8), 1, 1, 2, 4, 1, 2, z);
        assertThat(z).containsExactly(3.5f, 5.5f);
    }

    @Test
    void adaptivePoolWithDividingSizesIsPlainAveragePool() {
        // 12x8 -> 4x2: bins are exactly 3x4 windows with stride 3x4.
        float[] x = random(2 * 3 * 12 * 8, 33);
        float[] adaptive = new float[2 * 3 * 8];
        float[] pooled = new float[adaptive.length];
        AdaptiveAvgPoolReference.forward(x, 2, 3, 12, 8, 4, 2, adaptive);
        AvgPoolReference.forward(x, 2, new PoolGeometry(3, 12, 8, 3, 4, 3, 4, 0, 0, 0, 0, false), pooled);
        assertThat(adaptive).containsExactly(pooled);
    }
}
