package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.gemm.PackedGemm;
import org.junit.jupiter.api.Test;

class CostModelTest {

    private static ConvGeometry conv3x3(int c, int hw) {
        return new ConvGeometry(c, hw, hw, c, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void pixelGemmPaysForOutputChannelsThatHalfFillItsRegisterBlock() {
        // 16 output channels fill half of pixel-gemm's NR-wide block: every multiply-add costs two.
        int half = PackedGemm.NR / 2;
        CostModel.Work narrow = CostModel.work("pixel-gemm", conv3x3(half, 32));
        double useful = 2.0 * conv3x3(half, 32).macsPerSample();
        assertThat(narrow.flops()).isCloseTo(2 * useful, within(1e-6 * useful));
        assertThat(narrow.why()).contains("padded lanes");
        CostModel.Work full = CostModel.work("pixel-gemm", conv3x3(PackedGemm.NR, 32));
        assertThat(full.flops()).isCloseTo(2.0 * conv3x3(PackedGemm.NR, 32).macsPerSample(), within(1.0));
    }

    @Test
    void rowVectorizedKernelsPayForShortRows() {
        int lanes = PackedGemm.NR / 2;
        // A 7-pixel row in a vector of `lanes`: lanes/7 times the useful work.
        ConvGeometry dw = new ConvGeometry(64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64);
        assertThat(CostModel.work("depthwise", dw).flops()).isCloseTo(2.0 * dw.macsPerSample() * lanes / 7.0, within(1.0));
    }

    @Test
    void winogradReadsItsTransformedWeights() {
        // F(4x4,3x3) keeps 36 floats per 3x3 filter: 27 more than direct reads, per filter.
        ConvGeometry g = conv3x3(512, 7);
        double filters = 512.0 * 512;
        double extra = CostModel.work("winograd-f43", g).bytes() - CostModel.work("winograd-f23", g).bytes();
        // F23 keeps 16 floats per filter; the two also differ in tile buffers, which are small here.
        double tiles43 = 2 * 2 * 36 * 1024.0 * 4, tiles23 = 4 * 4 * 16 * 1024.0 * 4;
        assertThat(extra).isCloseTo(4 * filters * (36 - 16) + tiles43 - tiles23, within(1.0));
    }
}
