package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.FastestWay;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WinogradNchwcStrategyTest {

    private static final List<WinogradNchwcStrategy> STRATEGIES = List.of(WinogradNchwcStrategy.f23(), WinogradNchwcStrategy.f43());

    /**
     * The planar kernels' bounds (WinogradStrategyTest: 3x the worst error measured on the
     * 256->256 @14 layer, F23 6.0e-7, F43 1.5e-5): the transforms and the rounding of U are the
     * same, only the order of the sums over input channels differs. A wrong tile, padding or
     * transform entry gives errors of order 1e-1.
     */
    private static double tolerance(ConvStrategy s) {
        return s.name().startsWith("winograd-f23") ? 2e-6 : 4.5e-5;
    }

    private static ConvGeometry geometry(int inC, int h, int w, int outC, int padTop, int padLeft, int padBottom, int padRight) {
        return new ConvGeometry(inC, h, w, outC, 3, 3, 1, 1, padTop, padLeft, padBottom, padRight, 1, 1, 1);
    }

    /** One case against the reference, and 1 and 2 threads giving the same bits. */
    private static void check(ConvStrategy s, ConvGeometry g, int batch, boolean bias, boolean residual, ActivationKind act, long seed) {
        ConvStrategyCheck.Result one = ConvStrategyCheck.run(s, g, batch, bias, residual, act, 1, seed);
        ConvStrategyCheck.Result two = ConvStrategyCheck.run(s, g, batch, bias, residual, act, 2, seed);
        assertThat(one.relativeError()).as("%s %s batch %d", s.name(), g, batch).isLessThan(tolerance(s));
        assertThat(two.output()).as("%s %s: 2 threads vs 1", s.name(), g).containsExactly(one.output());
    }

    @ParameterizedTest(name = "{0}x{1}x{2} -> {3}, pad {4},{5},{6},{7}, batch {8}")
    @CsvSource({
        // inC, inH, inW, outC, padTop, padLeft, padBottom, padRight, batch
        "16, 5, 7, 16, 1, 1, 1, 1, 1",      // odd sizes, partial tiles on both edges
        "32, 13, 13, 48, 1, 1, 1, 1, 2",    // 3 output blocks: a group with a zero block; batch 2
        "16, 1, 1, 16, 1, 1, 1, 1, 1",      // 1x1 input: every window mostly padding
        "16, 3, 3, 32, 0, 0, 0, 0, 1",      // one output pixel, 2 output blocks (2 x 12 tiles)
        "16, 9, 6, 80, 0, 2, 1, 0, 1",      // asymmetric padding; 5 output blocks: a tail of 1
        "48, 11, 10, 16, 2, 0, 0, 1, 1",    // padding 2: whole window rows outside the input
        "16, 40, 3, 16, 1, 1, 1, 1, 2",     // tall and thin
        "16, 81, 81, 16, 1, 1, 1, 1, 1",    // several blocks of tiles
        "160, 14, 14, 64, 1, 1, 1, 1, 1",   // more input blocks than one weight chunk holds (8 or 16)
        "64, 28, 28, 128, 1, 1, 1, 1, 1",   // more groups than threads, one block each
    })
    void matchesReferenceOnOddGeometries(int inC, int h, int w, int outC, int pt, int pl, int pb, int pr, int batch) {
        ConvGeometry g = geometry(inC, h, w, outC, pt, pl, pb, pr);
        for (WinogradNchwcStrategy s : STRATEGIES) check(s, g, batch, true, false, ActivationKind.IDENTITY, 42);
    }

    /** 8-channel blocks (AVX2's) in channel counts no multiple of 16: groups of 2 blocks and a tail of 1 (1 x 12 tiles). */
    @Test
    void eightChannelBlocksEndInAHalfGroup() {
        assumeTrue(Nchwc.BLOCK == 8, "runs where the blocks are 8 channels (the kernels module's second test execution)");
        for (WinogradNchwcStrategy s : STRATEGIES) {
            check(s, geometry(24, 9, 11, 40, 1, 1, 1, 1), 1, true, false, ActivationKind.RELU, 42);
            check(s, geometry(40, 6, 6, 8, 0, 1, 1, 0), 2, true, true, ActivationKind.IDENTITY, 42);
        }
    }

    /**
     * A column of n tiles: 4 output blocks take the 4 x 6 register block, whose last 1-2 or 3-4
     * tiles run as a 4 x 2 or 4 x 4 block (7-11 tiles: every tail, and none).
     */
    @ParameterizedTest(name = "{0} tiles")
    @CsvSource({"6", "7", "8", "9", "10", "11"})
    void everyTailOfTheRegisterBlockMatches(int tiles) {
        for (WinogradNchwcStrategy s : STRATEGIES) {
            int m = s.transform().m();
            check(s, geometry(32, m * tiles, m, 64, 1, 1, 1, 1), 1, true, false, ActivationKind.RELU, tiles);
        }
    }

    @ParameterizedTest(name = "bias {0}, residual {1}, {2}")
    @CsvSource({
        "false, false, IDENTITY",
        "true, false, RELU",
        "false, true, IDENTITY",
        "true, true, RELU",
        "true, true, LEAKY_RELU",
        "true, true, SILU",
    })
    void appliesEveryEpilogue(boolean bias, boolean residual, ActivationKind act) {
        ConvGeometry g = geometry(32, 9, 13, 48, 1, 0, 2, 1);
        for (WinogradNchwcStrategy s : STRATEGIES) check(s, g, 2, bias, residual, act, 7);
    }

    /**
     * One block of 49 (F23) or 16 (F43) tiles and 2 output groups: the calls go round the ways of
     * running it (weights streamed or not; on 2 threads also the groups' and the tiles' split),
     * then keep one; every call, on 1 and on 2 threads, must give the first call's bits.
     */
    @Test
    void everyWayOfRunningALoneSampleGivesTheSameBits() {
        ConvGeometry g = geometry(32, 13, 13, 128, 1, 1, 1, 1);
        java.util.Random r = new java.util.Random(5);
        float[] x = new float[32 * 13 * 13], w = new float[128 * 32 * 9];
        for (float[] a : new float[][] {x, w}) for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * 2 - 1;
        for (WinogradNchwcStrategy s : STRATEGIES) {
            float[] one = new float[128 * 13 * 13];
            ConvKernel serial = s.prepare(g, w, Epilogue.none(), Parallel.serial());
            serial.forward(x, null, one, 1);
            ConvKernel two = s.prepare(g, w, Epilogue.none(), Parallel.of(2));
            assertThat(two.settled()).as("before its first calls").isFalse();
            for (int ways : new int[] {2, 4}) {
                ConvKernel k = ways == 2 ? serial : two;
                for (int call = 0; call < FastestWay.SKIPPED + ways * FastestWay.SAMPLES + 2; call++) {
                    float[] y = new float[one.length];
                    k.forward(x, null, y, 1);
                    assertThat(y).as("%s, %d ways, call %d", s.name(), ways, call).containsExactly(one);
                }
                assertThat(k.settled()).as("%s, %d ways", s.name(), ways).isTrue();
                assertThat(k.decided()).as("%s, %d ways", s.name(), ways).doesNotStartWith("timing");
            }
        }
    }

    /** Kernels of one shape share scratch: interleaved calls of two (different weights and epilogues) must each give their own result. */
    @ParameterizedTest(name = "{0} thread(s)")
    @CsvSource({"1", "2"})
    void kernelsOfOneShapeShareScratchSafely(int threads) {
        ConvGeometry g = geometry(32, 13, 15, 32, 1, 1, 1, 1);
        for (WinogradNchwcStrategy s : STRATEGIES) {
            java.util.Random r = new java.util.Random(4);
            float[] x = new float[32 * 13 * 15], res = new float[x.length], w1 = new float[32 * 32 * 9], w2 = new float[w1.length];
            for (float[] a : new float[][] {x, res, w1, w2}) for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * 2 - 1;
            Parallel p = Parallel.of(threads);
            ConvKernel k1 = s.prepare(g, w1, Epilogue.none(), p);
            ConvKernel k2 = s.prepare(g, w2, Epilogue.of(null, true, ActivationKind.RELU, 0), p);
            float[] alone1 = new float[res.length], alone2 = new float[res.length];
            k1.forward(x, null, alone1, 1);
            k2.forward(x, res, alone2, 1);
            assertThat(alone1).isNotEqualTo(alone2);
            float[] y1 = new float[res.length], y2 = new float[res.length];
            k2.forward(x, res, y2, 1);
            k1.forward(x, null, y1, 1);
            assertThat(y1).containsExactly(alone1);
            assertThat(y2).containsExactly(alone2);
        }
    }

    @Test
    void takesOnlyBlocked3x3StrideOneLayers() {
        WinogradNchwcStrategy s = WinogradNchwcStrategy.f43();
        assertThat(s.blocked()).isTrue();
        assertThat(s.computes(geometry(16, 8, 8, 32, 1, 1, 1, 1))).isTrue();
        assertThat(s.computes(geometry(12, 8, 8, 32, 1, 1, 1, 1))).as("channels not a multiple of the block").isFalse();
        assertThat(s.computes(ConvStrategyCheck.geometry(16, 8, 16, 3, 2, 1, 1))).as("stride 2").isFalse();
        assertThat(s.computes(ConvStrategyCheck.geometry(32, 8, 32, 3, 1, 1, 2))).as("groups").isFalse();
        assertThat(s.computes(ConvStrategyCheck.geometry(16, 8, 16, 5, 1, 2, 1))).as("5x5").isFalse();
    }
}
