package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.ConvWork;
import io.cnnc.kernels.cpu.gemm.PackedGemm;
import io.cnnc.kernels.cpu.layout.Nchwc;
import org.junit.jupiter.api.Test;

class CostModelTest {

    private static ConvWork work(ConvStrategy s, ConvGeometry g) {
        return s.work(g, 1);
    }

    private static ConvGeometry conv3x3(int c, int hw) {
        return new ConvGeometry(c, hw, hw, c, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void pixelGemmPaysForOutputChannelsThatHalfFillItsRegisterBlock() {
        // 16 output channels fill half of pixel-gemm's NR-wide block: every multiply-add costs two.
        int half = PackedGemm.NR / 2;
        ConvWork narrow = work(ConvStrategies.PIXEL_GEMM, conv3x3(half, 32));
        double useful = 2.0 * conv3x3(half, 32).macsPerSample();
        assertThat(narrow.flops()).isCloseTo(2 * useful, within(1e-6 * useful));
        assertThat(narrow.explained()).contains("padded lanes");
        ConvWork full = work(ConvStrategies.PIXEL_GEMM, conv3x3(PackedGemm.NR, 32));
        assertThat(full.flops()).isCloseTo(2.0 * conv3x3(PackedGemm.NR, 32).macsPerSample(), within(1.0));
    }

    /**
     * The 7x7 stride-2 stem: every pixel-gemm panel column is a gather (12544 pixels in panels of
     * MR, 147 k each); where gathers cost (Zen2: 9.4 ns) that outweighs pixel-gemm's better
     * efficiency, and direct wins; a stride-1 3x3 gathers only the panels across row ends.
     */
    @Test
    void pixelGemmPaysForTheGathersOfStridedPanels() {
        ConvGeometry stem = new ConvGeometry(3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1);
        double panels = Math.ceil(112 * 112 / (double) PackedGemm.MR);
        assertThat(work(ConvStrategies.PIXEL_GEMM, stem).gathers()).isEqualTo(panels * 147);
        assertThat(work(ConvStrategies.DIRECT, stem).gathers()).isZero();
        ConvGeometry s1 = conv3x3(64, 56);
        assertThat(work(ConvStrategies.PIXEL_GEMM, s1).gathers()).isCloseTo(Math.ceil(56 * 56 / (double) PackedGemm.MR) * 576 * (PackedGemm.MR - 1) / 56.0, within(1e-6));
        var e = new Efficiencies(java.util.Map.of("pixel-gemm", 0.8, "direct", 0.75));
        CostModel free = new CostModel(new Machine("free gathers", 86, 17, 29, 0), e);
        CostModel zen2 = new CostModel(new Machine("zen2", 86, 17, 29, 9.4), e);
        assertThat(zen2.estimate(ConvStrategies.PIXEL_GEMM, stem, 1).ms() - free.estimate(ConvStrategies.PIXEL_GEMM, stem, 1).ms()).isCloseTo(panels * 147 * 9.4e-6, within(1e-9));
        assertThat(zen2.estimate(ConvStrategies.PIXEL_GEMM, stem, 1).ms()).isGreaterThan(zen2.estimate(ConvStrategies.DIRECT, stem, 1).ms());
        assertThat(zen2.estimate(ConvStrategies.PIXEL_GEMM, stem, 1).reason()).contains("gathered");
    }

    /** Two or more threads use the efficiency measured on two where the table has one. */
    @Test
    void twoThreadsUseTheirOwnEfficiencyWhereMeasured() {
        var e = new Efficiencies(java.util.Map.of("direct", 0.5, "direct@2", 0.25, "pixel-gemm", 0.5));
        assertThat(e.get("direct", 1)).isEqualTo(0.5);
        assertThat(e.get("direct", 2)).isEqualTo(0.25);
        assertThat(e.get("pixel-gemm", 4)).isEqualTo(0.5);
        // No memory term (infinite bandwidth): 2 threads at half the efficiency take as long as 1.
        CostModel m = new CostModel(new Machine("m", 100, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY), e);
        ConvGeometry g = conv3x3(64, 56);
        assertThat(m.estimate(ConvStrategies.DIRECT, g, 2).ms()).isCloseTo(m.estimate(ConvStrategies.DIRECT, g, 1).ms(), within(1e-9));
        assertThat(m.estimate(ConvStrategies.PIXEL_GEMM, g, 2).ms()).isCloseTo(m.estimate(ConvStrategies.PIXEL_GEMM, g, 1).ms() / 2, within(1e-9));
    }

    /** direct-nchwc computes 4 output blocks at a time (a 3-block tail as 4) and pixels in sixes. */
    @Test
    void nchwcPaysForItsGroupAndPixelPadding() {
        if (Nchwc.BLOCK == 16) {
            // 3 blocks computed as a group of 4, 49 pixels in steps of 6 and a last step of 2.
            ConvGeometry threeBlocks = new ConvGeometry(32, 7, 7, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            assertThat(work(ConvStrategies.DIRECT_NCHWC, threeBlocks).flops()).isCloseTo(2.0 * threeBlocks.macsPerSample() * 4 / 3 * 50 / 49, within(1.0));
            assertThat(work(ConvStrategies.DIRECT_NCHWC_PLANAR_IN, threeBlocks).flops()).as("no tail blocks on planar rows")
                    .isCloseTo(2.0 * threeBlocks.macsPerSample() * 4 / 3 * 54 / 49, within(1.0));
        } else {
            // 8-channel blocks: 5 blocks as 2 groups of 2 and one alone, whose 12-pixel steps the layer is counted by.
            ConvGeometry fiveBlocks = new ConvGeometry(32, 7, 7, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            assertThat(work(ConvStrategies.DIRECT_NCHWC, fiveBlocks).flops()).isCloseTo(2.0 * fiveBlocks.macsPerSample() * 60 / 49, within(1.0));
        }
        ConvGeometry fourBlocks = new ConvGeometry(32, 6, 6, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(work(ConvStrategies.DIRECT_NCHWC, fourBlocks).flops()).isCloseTo(2.0 * fourBlocks.macsPerSample(), within(1.0));
    }

    @Test
    void rowVectorizedKernelsPayForShortRows() {
        int lanes = PackedGemm.NR / 2;
        // A 7-pixel row in a vector of `lanes`: lanes/7 times the useful work.
        ConvGeometry dw = new ConvGeometry(64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64);
        assertThat(work(ConvStrategies.DEPTHWISE, dw).flops()).isCloseTo(2.0 * dw.macsPerSample() * lanes / 7.0, within(1.0));
    }

    @Test
    void winogradReadsItsTransformedWeights() {
        // F(4x4,3x3) keeps 36 floats per 3x3 filter: 27 more than direct reads, per filter.
        ConvGeometry g = conv3x3(512, 7);
        double filters = 512.0 * 512;
        double extra = work(ConvStrategies.WINOGRAD_F43, g).bytes() - work(ConvStrategies.WINOGRAD_F23, g).bytes();
        // F23 keeps 16 floats per filter; the two also differ in tile buffers, which are small here.
        double tiles43 = 2 * 2 * 36 * 1024.0 * 4, tiles23 = 4 * 4 * 16 * 1024.0 * 4;
        assertThat(extra).isCloseTo(4 * filters * (36 - 16) + tiles43 - tiles23, within(1.0));
    }
}
