package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PixelGemmStrategyTest {

    /** The same sums as im2col-gemm in another order: the same bound (GemmConvStrategyTest). */
    private static final double TOLERANCE = 1e-5;

    static Stream<ConvGeometry> geometries() {
        return Stream.of(
                ConvStrategyCheck.geometry(3, 9, 5, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(16, 13, 24, 3, 2, 1, 1),
                ConvStrategyCheck.geometry(8, 11, 12, 5, 1, 2, 4),
                ConvStrategyCheck.geometry(7, 15, 9, 1, 1, 0, 1),
                // unpadded: read straight from the input, batch 2 included (ResNet's 1x1 stride-2 downsampling)
                ConvStrategyCheck.geometry(16, 14, 40, 1, 2, 0, 1),
                ConvStrategyCheck.geometry(6, 11, 9, 3, 1, 0, 3),
                ConvStrategyCheck.geometry(6, 8, 6, 3, 1, 1, 6),
                ConvStrategyCheck.geometry(3, 30, 17, 7, 2, 3, 1),
                // 7x7 output, K = 576: a KC block and a partial one, channels past one NR panel: ResNet's last stage in small
                ConvStrategyCheck.geometry(64, 7, 70, 3, 1, 1, 1),
                // K = 1152: two full KC blocks and a partial one
                ConvStrategyCheck.geometry(128, 7, 40, 3, 1, 1, 1),
                // more pixels than one MC block, so blocks and channel chunks are both exercised
                ConvStrategyCheck.geometry(5, 20, 40, 3, 1, 1, 1),
                new ConvGeometry(5, 10, 7, 11, 3, 2, 1, 2, 0, 1, 2, 0, 2, 1, 1),
                new ConvGeometry(4, 9, 9, 4, 3, 3, 2, 1, 1, 1, 1, 1, 2, 2, 2));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void matchesReferenceWithEveryEpilogue(ConvGeometry g) {
        ConvStrategyCheck.assertMatchesWithEveryEpilogue(new PixelGemmStrategy(), g, ActivationKind.HARDSWISH, TOLERANCE);
    }
}
