package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class DepthwiseStrategyTest {

    private static final DepthwiseStrategy DW = new DepthwiseStrategy();

    /**
     * Absolute tolerance for a depthwise output: each is a float FMA chain over K = kH*kW
     * products of inputs and weights in [-1, 1], then a float bias and residual add. Float
     * summation errs by at most about K * 2^-24 * sum|terms| <= K * K * 2^-24, the two adds by an
     * ulp of |value| <= K + 2 each, and the vector activations (SVML exp/tanh) by about 2 ulps;
     * (K + 4) * (K + 2) * 2^-23 covers all of it twice over, while a wrong tap, a misplaced
     * padding column or a skipped output errs by about 0.1 or more.
     */
    private static double tolerance(ConvGeometry g) {
        int k = g.kernelH() * g.kernelW();
        return (k + 4) * (k + 2) * Math.ulp(1f);
    }

    private static void check(ConvGeometry g, int batch, boolean bias, boolean residual, ActivationKind act) {
        var r = ConvStrategyCheck.run(DW, g, batch, bias, residual, act, 1, 17);
        assertThat(r.maxAbsError()).as("%s batch %d bias %s residual %s %s", g, batch, bias, residual, act)
                .isLessThanOrEqualTo(tolerance(g));
    }

    /** inC, inH, inW, multiplier, kH, kW, strideH, strideW, pads t/l/b/r, dilationH, dilationW, batch. */
    @ParameterizedTest
    @CsvSource({
            // the row-sliding 3x3 kernels: stride 1 and 2, widths below, at and above a vector, heights not a multiple of 8
            "5, 56, 56, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1",
            "3, 13, 17, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2",
            "4, 7, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1",
            "3, 16, 16, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1",
            "3, 33, 70, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1",
            "4, 112, 112, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1",
            "3, 15, 21, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2",
            "3, 14, 14, 1, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 1",
            "3, 9, 40, 2, 3, 3, 1, 1, 2, 0, 1, 2, 1, 1, 1",
            // the general kernel: other sizes, strides, dilation, asymmetric padding, multipliers
            "3, 28, 28, 1, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1",
            "3, 29, 31, 1, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 2",
            "4, 20, 20, 1, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1",
            "2, 19, 23, 3, 3, 5, 2, 1, 0, 3, 1, 0, 2, 1, 1",
            "3, 11, 11, 2, 7, 7, 3, 3, 3, 3, 3, 3, 1, 1, 1",
            "5, 10, 10, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2",
            "2, 6, 50, 1, 2, 4, 2, 3, 1, 0, 0, 2, 1, 1, 1",
            "1, 9, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1",
    })
    void matchesReference(int c, int h, int w, int mult, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr,
                          int dh, int dw, int batch) {
        ConvGeometry g = new ConvGeometry(c, h, w, c * mult, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, c);
        assertThat(DW.supports(g)).isTrue();
        check(g, batch, true, true, ActivationKind.RELU);
        check(g, batch, false, false, ActivationKind.IDENTITY);
        // Bias and ReLU6 without a residual are applied in registers, not by the epilogue pass.
        check(g, batch, true, false, ActivationKind.RELU6);
        check(g, batch, true, false, ActivationKind.SIGMOID);
    }

    /** Random geometries: sizes, strides 1-3, dilation 1-2, asymmetric padding, multipliers, batch 1-2 and epilogues at once. */
    @Test
    void matchesReferenceOnRandomGeometries() {
        Random r = new Random(13);
        ActivationKind[] kinds = ActivationKind.values();
        for (int i = 0; i < 40; i++) {
            int c = 1 + r.nextInt(4), mult = 1 + r.nextInt(2);
            // Half the draws are 3x3 with dilation 1 and equal strides 1 or 2: the row-sliding kernels.
            boolean slide = r.nextBoolean();
            int kh = slide ? 3 : 1 + r.nextInt(5), kw = slide ? 3 : 1 + r.nextInt(5);
            int dh = slide ? 1 : 1 + r.nextInt(2), dw = slide ? 1 : 1 + r.nextInt(2);
            int sh = slide ? 1 + r.nextInt(2) : 1 + r.nextInt(3), sw = slide ? sh : 1 + r.nextInt(3);
            int h = (kh - 1) * dh + 1 + r.nextInt(30), w = (kw - 1) * dw + 1 + r.nextInt(50);
            ConvGeometry g = new ConvGeometry(c, h, w, c * mult, kh, kw, sh, sw, r.nextInt(kh), r.nextInt(kw), r.nextInt(kh),
                    r.nextInt(kw), dh, dw, c);
            check(g, 1 + r.nextInt(2), r.nextBoolean(), r.nextBoolean(), kinds[r.nextInt(kinds.length)]);
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void everyEpilogue(ActivationKind act) {
        for (ConvGeometry g : new ConvGeometry[] {
                ConvStrategyCheck.geometry(3, 13, 3, 3, 1, 1, 3), ConvStrategyCheck.geometry(2, 12, 4, 5, 2, 2, 2)}) {
            for (boolean bias : new boolean[] {false, true}) {
                for (boolean residual : new boolean[] {false, true}) check(g, 2, bias, residual, act);
            }
        }
    }

    @Test
    void sameResultOnOneAndTwoThreads() {
        for (ConvGeometry g : new ConvGeometry[] {
                ConvStrategyCheck.geometry(32, 30, 32, 3, 1, 1, 32), ConvStrategyCheck.geometry(24, 41, 48, 5, 2, 2, 24)}) {
            float[] one = ConvStrategyCheck.run(DW, g, 2, true, true, ActivationKind.RELU6, 1, 5).output();
            float[] two = ConvStrategyCheck.run(DW, g, 2, true, true, ActivationKind.RELU6, 2, 5).output();
            assertThat(two).containsExactly(one);
        }
    }

    @Test
    void supportsOnlyOneGroupPerInputChannel() {
        assertThat(DW.supports(ConvStrategyCheck.geometry(8, 10, 8, 3, 1, 1, 8))).isTrue();
        assertThat(DW.supports(ConvStrategyCheck.geometry(8, 10, 16, 3, 1, 1, 8))).isTrue();
        assertThat(DW.supports(ConvStrategyCheck.geometry(1, 10, 4, 3, 1, 1, 1))).isTrue();
        assertThat(DW.supports(ConvStrategyCheck.geometry(8, 10, 8, 3, 1, 1, 1))).isFalse();
        assertThat(DW.supports(ConvStrategyCheck.geometry(8, 10, 8, 3, 1, 1, 4))).isFalse();
        assertThat(ConvStrategies.byName("depthwise")).isInstanceOf(DepthwiseStrategy.class);
    }
}
