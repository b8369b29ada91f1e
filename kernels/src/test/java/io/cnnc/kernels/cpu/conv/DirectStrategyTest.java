package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class DirectStrategyTest {

    private static final DirectStrategy DIRECT = new DirectStrategy();
    /** Which numbering a geometry gets depends on the vector width (8 or 16 lanes): force each. */
    private static final DirectStrategy FLAT = new DirectStrategy(DirectStrategy.Numbering.FLAT);
    private static final DirectStrategy ROWS = new DirectStrategy(DirectStrategy.Numbering.ROWS);

    /**
     * Absolute tolerance: each output is a float FMA chain over K = inC/groups * kH * kW products
     * of values in [-1, 1], then a float bias and residual add. Float summation errs by at most
     * about K * 2^-24 * sum|terms| <= K^2 * 2^-24 (rounding errors of random sign make the real
     * error nearer sqrt(K) * 2^-24 * sqrt(K)), the adds by an ulp of |value| <= K + 2 each, the
     * vector activations by a few ulps; (K + 4) * (K + 2) * 2^-23 covers it. A wrong tap, channel
     * or padding position errs by about 0.1 or more even for the largest K here (600).
     */
    private static double tolerance(ConvGeometry g) {
        int k = g.inC() / g.groups() * g.kernelH() * g.kernelW();
        return (k + 4.0) * (k + 2.0) * Math.ulp(1f);
    }

    private static void check(ConvGeometry g, int batch, boolean bias, boolean residual, ActivationKind act) {
        check(DIRECT, g, batch, bias, residual, act);
    }

    private static void check(DirectStrategy direct, ConvGeometry g, int batch, boolean bias, boolean residual, ActivationKind act) {
        var r = ConvStrategyCheck.run(direct, g, batch, bias, residual, act, 1, 23);
        assertThat(r.maxAbsError()).as("%s batch %d bias %s residual %s %s", g, batch, bias, residual, act)
                .isLessThanOrEqualTo(tolerance(g));
    }

    /** inC, inH, inW, outC, kH, kW, strideH, strideW, pads t/l/b/r, dilationH, dilationW, groups, batch. */
    @ParameterizedTest
    @CsvSource({
            // LeNet-5's convs, the ResNet stem (224 shrunk to 61 to keep the test fast), 1x1
            "1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1",
            "6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1, 2",
            "3, 61, 61, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1",
            "16, 9, 9, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 2",
            // odd sizes, widths below/at/above a vector, output channels not a multiple of 4
            "5, 13, 17, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2",
            "3, 16, 16, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1",
            "2, 7, 70, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1",
            // stride 2 and 3, asymmetric padding, non-square kernels
            "4, 15, 21, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2",
            "3, 19, 23, 6, 3, 5, 2, 1, 0, 3, 1, 0, 1, 1, 1, 1",
            "2, 20, 33, 5, 4, 2, 3, 3, 2, 0, 1, 1, 1, 1, 1, 1",
            // dilation 2
            "4, 20, 20, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 2",
            "3, 23, 18, 4, 3, 3, 2, 2, 1, 2, 2, 1, 2, 3, 1, 1",
            // groups: grouped (2, 4 channels per group, odd channels per group), depthwise, multiplier
            "8, 12, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2",
            "12, 11, 11, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3, 1",
            "6, 10, 10, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6, 1",
            "4, 9, 9, 8, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 4, 1",
            // many input channels: K = 600 taps
            "24, 10, 10, 20, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1",
    })
    void matchesReference(int inC, int h, int w, int outC, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr,
                          int dh, int dw, int groups, int batch) {
        ConvGeometry g = new ConvGeometry(inC, h, w, outC, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups);
        check(g, batch, true, true, ActivationKind.RELU);
        check(g, batch, false, false, ActivationKind.IDENTITY);
    }

    /** Random geometries: every combination of the above drawn at once, with a random epilogue. */
    @Test
    void matchesReferenceOnRandomGeometries() {
        Random r = new Random(11);
        ActivationKind[] kinds = ActivationKind.values();
        for (int i = 0; i < 40; i++) {
            int groups = 1 + r.nextInt(3);
            int inC = groups * (1 + r.nextInt(4)), outC = groups * (1 + r.nextInt(6));
            int kh = 1 + r.nextInt(5), kw = 1 + r.nextInt(5), dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
            int sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
            int h = (kh - 1) * dh + 1 + r.nextInt(20), w = (kw - 1) * dw + 1 + r.nextInt(40);
            ConvGeometry g = new ConvGeometry(inC, h, w, outC, kh, kw, sh, sw, r.nextInt(kh), r.nextInt(kw), r.nextInt(kh),
                    r.nextInt(kw), dh, dw, groups);
            check(g, 1 + r.nextInt(2), r.nextBoolean(), r.nextBoolean(), kinds[r.nextInt(kinds.length)]);
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void everyEpilogue(ActivationKind act) {
        ConvGeometry g = new ConvGeometry(3, 11, 19, 5, 3, 3, 2, 1, 1, 0, 1, 2, 1, 1, 1);
        for (boolean bias : new boolean[] {false, true}) {
            for (boolean residual : new boolean[] {false, true}) check(g, 2, bias, residual, act);
        }
    }

    /**
     * Outputs numbered with a pitch across rows (FlatPlanes): stride 2 to 28 columns (pitch 29),
     * 7- and 8-column outputs whose vectors span two or three rows, stride 3 with dilation 2,
     * asymmetric padding, odd sizes and groups.
     */
    @ParameterizedTest
    @CsvSource({
            "8, 56, 56, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1",
            "20, 7, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2",
            "12, 14, 14, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1",
            "4, 29, 25, 5, 3, 3, 3, 3, 2, 1, 0, 2, 2, 2, 1, 2",
            "6, 9, 11, 6, 2, 3, 1, 2, 0, 1, 1, 0, 1, 1, 2, 1",
    })
    void matchesReferenceWithFlatNumbering(int inC, int h, int w, int outC, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr,
                                           int dh, int dw, int groups, int batch) {
        ConvGeometry g = new ConvGeometry(inC, h, w, outC, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups);
        assertThat(FLAT.prepare(g, new float[g.outC() * g.inC() / groups * kh * kw], Epilogue.none(), Parallel.serial()).tiling())
                .as("%s", g).contains("numbered with pitch");
        check(FLAT, g, batch, true, true, ActivationKind.RELU);
        check(FLAT, g, batch, false, false, ActivationKind.IDENTITY);
        check(FLAT, g, batch, true, false, ActivationKind.SILU);
    }

    /** Two threads: bands split by channel blocks (flat and row numbering), epilogue at the store or after the band. */
    @Test
    void matchesReferenceOnTwoThreads() {
        for (ConvGeometry g : new ConvGeometry[] {ConvStrategyCheck.geometry(32, 30, 24, 3, 2, 1, 1), ConvStrategyCheck.geometry(16, 56, 24, 3, 2, 1, 1),
                ConvStrategyCheck.geometry(64, 28, 24, 3, 2, 1, 1), ConvStrategyCheck.geometry(3, 64, 16, 7, 2, 3, 1)}) {
            for (ActivationKind act : new ActivationKind[] {ActivationKind.RELU, ActivationKind.IDENTITY, ActivationKind.SILU}) {
                for (DirectStrategy direct : new DirectStrategy[] {FLAT, ROWS}) {
                    var r = ConvStrategyCheck.run(direct, g, 2, true, true, act, 2, 9);
                    assertThat(r.maxAbsError()).as("%s %s flat=%s", g, act, direct == FLAT).isLessThanOrEqualTo(tolerance(g));
                }
            }
        }
    }

    @Test
    void sameResultOnOneAndTwoThreads() {
        for (ConvGeometry g : new ConvGeometry[] {
                ConvStrategyCheck.geometry(3, 61, 64, 7, 2, 3, 1), ConvStrategyCheck.geometry(8, 40, 12, 3, 1, 1, 2)}) {
            float[] one = ConvStrategyCheck.run(DIRECT, g, 2, true, true, ActivationKind.SILU, 1, 5).output();
            float[] two = ConvStrategyCheck.run(DIRECT, g, 2, true, true, ActivationKind.SILU, 2, 5).output();
            assertThat(two).containsExactly(one);
        }
    }

    @Test
    void supportsEveryGeometry() {
        assertThat(DIRECT.supports(ConvStrategyCheck.geometry(3, 224, 64, 7, 2, 3, 1))).isTrue();
        assertThat(DIRECT.supports(ConvStrategyCheck.geometry(8, 10, 8, 3, 1, 1, 8))).isTrue();
        assertThat(DIRECT.supports(new ConvGeometry(6, 9, 9, 4, 2, 3, 2, 3, 0, 1, 1, 0, 2, 1, 2))).isTrue();
        assertThat(ConvStrategies.byName("direct")).isInstanceOf(DirectStrategy.class);
        assertThat(ConvStrategies.candidates(ConvStrategyCheck.geometry(4, 8, 4, 3, 1, 1, 4)))
                .extracting(ConvStrategy::name).contains("direct", "depthwise");
    }

    /**
     * Training's slices: samples [1, 3) of a batch of 4 run in place in the whole batch's arrays
     * give the very bits the whole batch's forward gives them, and leave the other samples alone,
     * in both numberings and with a residual epilogue (which is read at the same samples).
     */
    @ParameterizedTest
    @EnumSource(value = DirectStrategy.Numbering.class)
    void samplesInPlaceMatchTheWholeBatch(DirectStrategy.Numbering numbering) {
        ConvGeometry g = new ConvGeometry(5, 13, 17, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        int batch = 4, in = g.inC() * g.inH() * g.inW(), out = g.outC() * g.outH() * g.outW();
        Random r = new Random(4);
        float[] x = new float[batch * in], w = new float[g.weightCount()], bias = new float[g.outC()], res = new float[batch * out];
        for (float[] a : new float[][] {x, w, bias, res}) for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * 2 - 1;
        ConvKernel k = new DirectStrategy(numbering).prepare(g, w, Epilogue.of(bias, true, ActivationKind.RELU, 0), Parallel.serial());
        float[] whole = new float[batch * out];
        k.forward(x, res, whole, batch);
        float[] part = new float[batch * out];
        java.util.Arrays.fill(part, Float.NaN);
        assertThat(k.forwardSamples(x, res, part, 1, 2)).isTrue();
        for (int i = 0; i < part.length; i++) {
            if (i < out || i >= 3 * out) assertThat(part[i]).as("untouched %d", i).isNaN();
            else assertThat(part[i]).as("%d", i).isEqualTo(whole[i]);
        }
    }
}
