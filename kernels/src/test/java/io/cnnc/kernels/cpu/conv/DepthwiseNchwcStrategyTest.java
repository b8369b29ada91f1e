package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DepthwiseNchwcStrategyTest {

    /** At most 49 products per output, summed in one chain: 1e-5 relative, as for the planar depthwise kernel. */
    private static final double TOLERANCE = 1e-5;

    private final DepthwiseNchwcStrategy strategy = new DepthwiseNchwcStrategy();

    private static ConvGeometry dw(int c, int h, int w, int k, int stride, int pad, int dilation) {
        return new ConvGeometry(c, h, w, c, k, k, stride, stride, pad, pad, pad, pad, dilation, dilation, c);
    }

    /**
     * MobileNet's 3x3 stride 1 and 2; rows narrower than the 8-pixel register block and wider with
     * a tail; no padding; asymmetric padding and stride; 5x5; dilation 2; a plane of one pixel.
     */
    static Stream<ConvGeometry> geometries() {
        return Stream.of(
                dw(16, 14, 14, 3, 1, 1, 1),
                dw(32, 29, 29, 3, 2, 1, 1),
                dw(16, 5, 5, 3, 1, 1, 1),
                dw(48, 7, 23, 3, 1, 0, 1),
                new ConvGeometry(16, 11, 19, 16, 3, 3, 2, 1, 0, 1, 2, 1, 1, 1, 16),
                dw(16, 17, 17, 5, 1, 2, 1),
                dw(32, 15, 21, 3, 1, 2, 2),
                dw(16, 1, 1, 3, 1, 1, 1));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void matchesReferenceWithEveryEpilogue(ConvGeometry g) {
        ConvStrategyCheck.assertMatchesWithEveryEpilogue(strategy, g, ActivationKind.HARDSWISH, TOLERANCE);
    }

    @Test
    void takesOnlyDepthwiseLayersWithChannelsInWholeBlocksAndNoMultiplier() {
        assertThat(strategy.computes(dw(144, 56, 56, 3, 1, 1, 1))).isTrue();
        assertThat(strategy.computes(dw(Nchwc.BLOCK + 4, 56, 56, 3, 1, 1, 1))).isFalse();
        assertThat(strategy.computes(new ConvGeometry(16, 8, 8, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16))).isFalse();
        assertThat(strategy.computes(ConvStrategyCheck.geometry(16, 8, 16, 3, 1, 1, 1))).isFalse();
        assertThat(strategy.blocked()).isTrue();
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        ConvGeometry g = dw(64, 30, 30, 3, 2, 1, 1);
        assertThat(ConvStrategyCheck.run(strategy, g, 2, true, true, ActivationKind.RELU6, 1, 7).output())
                .containsExactly(ConvStrategyCheck.run(strategy, g, 2, true, true, ActivationKind.RELU6, 2, 7).output());
    }
}
