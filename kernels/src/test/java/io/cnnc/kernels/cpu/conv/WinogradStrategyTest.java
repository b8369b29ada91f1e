package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WinogradStrategyTest {

    private static final List<WinogradConv> STRATEGIES = List.of(new WinogradF23Strategy(), new WinogradF43Strategy());

    /**
     * Largest max|err|/max|ref| allowed: the bounds WinogradErrorTest holds the 256->256 @14
     * layer to, 3x the worst error measured there (docs/kernels.md, "Winograd error": F23
     * 6.0e-7, F43 1.5e-5). The relative error does not depend on the weights' scale, and these
     * layers have at most 300 input channels, so they sit at or below the measured layers
     * (measured here: F23 at most 7.4e-7, F43 at most 5.8e-6). A wrong tile, padding or
     * transform entry gives errors of order 1e-1.
     */
    private static double tolerance(ConvStrategy s) {
        return s.name().equals("winograd-f23") ? 2e-6 : 4.5e-5;
    }

    private static ConvGeometry geometry(int inC, int h, int w, int outC, int padTop, int padLeft, int padBottom, int padRight) {
        return new ConvGeometry(inC, h, w, outC, 3, 3, 1, 1, padTop, padLeft, padBottom, padRight, 1, 1, 1);
    }

    /** A strategy whose kernels put tiles on the GEMM's rows ({@code transposed}) or columns, whatever the padding. */
    private static ConvStrategy forced(WinogradConv s, boolean transposed) {
        return new ConvStrategy() {
            public String name() {
                return s.name();
            }

            public boolean supports(ConvGeometry g) {
                return s.supports(g);
            }

            public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
                return new WinogradKernel(s.transform(), g, weight, epilogue, parallel, transposed);
            }

            public ConvWork work(ConvGeometry g, int threads) {
                return s.work(g, threads);
            }
        };
    }

    /** Checks one case in both GEMM orientations against the reference and that 1 and 2 threads give the same bits. */
    private static void check(WinogradConv s, ConvGeometry g, int batch, boolean bias, boolean residual, ActivationKind act, long seed) {
        for (boolean transposed : new boolean[] {false, true}) check(forced(s, transposed), g, batch, bias, residual, act, seed);
    }

    private static void check(ConvStrategy s, ConvGeometry g, int batch, boolean bias, boolean residual, ActivationKind act, long seed) {
        ConvStrategyCheck.Result one = ConvStrategyCheck.run(s, g, batch, bias, residual, act, 1, seed);
        ConvStrategyCheck.Result two = ConvStrategyCheck.run(s, g, batch, bias, residual, act, 2, seed);
        assertThat(one.relativeError()).as("%s %s batch %d", s.name(), g, batch).isLessThan(tolerance(s));
        assertThat(two.output()).as("%s %s: 2 threads vs 1", s.name(), g).containsExactly(one.output());
    }

    @ParameterizedTest(name = "{0}x{1}x{2} -> {3}, pad {4},{5},{6},{7}, batch {8}")
    @CsvSource({
        // inC, inH, inW, outC, padTop, padLeft, padBottom, padRight, batch
        "3, 5, 7, 5, 1, 1, 1, 1, 1",        // odd sizes, partial tiles on both edges
        "13, 13, 13, 17, 1, 1, 1, 1, 2",    // channels not multiples of 8 or 16, batch 2
        "4, 1, 1, 6, 1, 1, 1, 1, 1",        // 1x1 input: every window mostly padding
        "1, 3, 3, 1, 0, 0, 0, 0, 1",        // one output
        "7, 9, 6, 9, 0, 2, 1, 0, 1",        // asymmetric padding
        "20, 11, 10, 33, 2, 0, 0, 1, 1",    // padding 2: whole window rows outside the input
        "3, 40, 3, 5, 1, 1, 1, 1, 2",       // tall and thin
        "8, 81, 81, 8, 1, 1, 1, 1, 1",      // several blocks, starting mid tile row; rows of more than 16 tiles
        "300, 6, 6, 20, 1, 1, 1, 1, 1",     // more input channels than PackedGemm.KC was (256)
        "600, 5, 5, 20, 1, 1, 1, 1, 1",     // more input channels than PackedGemm.KC (512)
        "16, 32, 32, 16, 1, 1, 1, 1, 1",    // one block on 2 threads, small weights: split by tiles
    })
    void matchesReferenceOnOddGeometries(int inC, int h, int w, int outC, int pt, int pl, int pb, int pr, int batch) {
        ConvGeometry g = geometry(inC, h, w, outC, pt, pl, pb, pr);
        for (WinogradConv s : STRATEGIES) check(s, g, batch, true, false, ActivationKind.IDENTITY, 42);
    }

    @ParameterizedTest(name = "bias {0}, residual {1}, {2}")
    @CsvSource({
        "false, false, IDENTITY",
        "true, false, IDENTITY",
        "false, true, IDENTITY",
        "true, false, RELU",
        "true, true, RELU",
        "false, true, RELU",
        "true, true, LEAKY_RELU",
        "true, false, SIGMOID",
        "true, true, SILU",
    })
    void appliesEveryEpilogue(boolean bias, boolean residual, ActivationKind act) {
        ConvGeometry g = geometry(11, 9, 13, 19, 1, 0, 2, 1);
        for (WinogradConv s : STRATEGIES) check(s, g, 2, bias, residual, act, 7);
    }

    /**
     * Kernels of one shape share their scratch buffers; each must still compute its own result
     * when calls to two of them (different weights, one with a residual and ReLU) interleave on
     * 1 and 2 threads: nothing may be read from scratch that the call did not write.
     */
    @ParameterizedTest(name = "{0}, {1} thread(s)")
    @CsvSource({"F43, 1", "F43, 2", "F23, 1", "F23, 2"})
    void kernelsOfOneShapeShareScratchSafely(String which, int threads) {
        ConvStrategy s = which.equals("F43") ? new WinogradF43Strategy() : new WinogradF23Strategy();
        ConvGeometry g = new ConvGeometry(19, 13, 15, 21, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        java.util.Random r = new java.util.Random(4);
        float[] x = new float[19 * 13 * 15], res = new float[21 * 13 * 15], w1 = new float[21 * 19 * 9], w2 = new float[w1.length];
        for (float[] a : new float[][] {x, res, w1, w2}) for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * 2 - 1;
        Parallel p = Parallel.of(threads);
        ConvKernel k1 = s.prepare(g, w1, Epilogue.none(), p);
        ConvKernel k2 = s.prepare(g, w2, Epilogue.of(null, true, ActivationKind.RELU, 0), p);
        float[] alone1 = new float[res.length], alone2 = new float[res.length];
        k1.forward(x, null, alone1, 1);
        k2.forward(x, res, alone2, 1);
        assertThat(alone1).isNotEqualTo(alone2);
        for (int round = 0; round < 3; round++) {
            float[] y1 = new float[res.length], y2 = new float[res.length];
            k2.forward(x, res, y2, 1);
            k1.forward(x, null, y1, 1);
            assertThat(y1).containsExactly(alone1);
            assertThat(y2).containsExactly(alone2);
        }
    }

    @Test
    void supportsOnlyStrideOneUndilatedUngrouped3x3() {
        for (WinogradConv s : STRATEGIES) {
            assertThat(s.supports(geometry(8, 10, 10, 8, 1, 1, 1, 1))).isTrue();
            assertThat(s.supports(geometry(8, 10, 10, 8, 0, 2, 1, 0))).isTrue();
            assertThat(s.supports(new ConvGeometry(8, 10, 10, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1))).as("stride 2").isFalse();
            assertThat(s.supports(new ConvGeometry(8, 10, 10, 8, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 1))).as("stride 1x2").isFalse();
            assertThat(s.supports(new ConvGeometry(8, 10, 10, 8, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1))).as("5x5").isFalse();
            assertThat(s.supports(new ConvGeometry(8, 10, 10, 8, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1, 1))).as("1x3").isFalse();
            assertThat(s.supports(new ConvGeometry(8, 10, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2))).as("groups 2").isFalse();
            assertThat(s.supports(new ConvGeometry(8, 10, 10, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1))).as("dilation 2").isFalse();
            ConvGeometry strided = new ConvGeometry(8, 10, 10, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
            assertThatThrownBy(() -> s.prepare(strided, new float[8 * 8 * 9], Epilogue.none(), Parallel.serial()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void registeredAndExplained() {
        ConvGeometry g = geometry(64, 56, 56, 64, 1, 1, 1, 1);
        assertThat(ConvStrategies.candidates(g)).extracting(ConvStrategy::name).contains("winograd-f23", "winograd-f43");
        String tiling = ConvStrategies.byName("winograd-f43").prepare(g, new float[64 * 64 * 9], Epilogue.none(), Parallel.serial()).tiling();
        assertThat(tiling).startsWith("F(4x4,3x3), ").contains(" tiles/block");
        assertThat(ConvStrategies.byName("winograd-f23").prepare(g, new float[64 * 64 * 9], Epilogue.none(), Parallel.serial()).tiling())
                .startsWith("F(2x2,3x3), ");
    }
}
