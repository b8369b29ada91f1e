package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PixelGemmStrategyTest {

    /** im2col-gemm's geometries, and the shapes that exercise what pixel-gemm does differently. */
    static Stream<ConvGeometry> geometries() {
        return Stream.concat(GemmConvStrategyTest.geometries(), Stream.of(
                // unpadded: read straight from the input, batch 2 included (ResNet's 1x1 stride-2 downsampling)
                ConvStrategyCheck.geometry(16, 14, 40, 1, 2, 0, 1),
                ConvStrategyCheck.geometry(6, 11, 9, 3, 1, 0, 3),
                // 7x7 output, K = 576: a KC block and a partial one, channels past one NR panel: ResNet's last stage in small
                ConvStrategyCheck.geometry(64, 7, 70, 3, 1, 1, 1),
                // K = 1152: two full KC blocks and a partial one
                ConvStrategyCheck.geometry(128, 7, 40, 3, 1, 1, 1),
                // more pixels than one MC block, so blocks and channel chunks are both exercised
                ConvStrategyCheck.geometry(5, 20, 40, 3, 1, 1, 1),
                // 3 pixel blocks (the last partial) x 2 channel chunks on 2 threads, sharing one packing of the pixels
                ConvStrategyCheck.geometry(7, 18, 40, 3, 1, 1, 1)));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void matchesReferenceWithEveryEpilogue(ConvGeometry g) {
        // The same sums as im2col-gemm in another order: the same bound.
        ConvStrategyCheck.assertMatchesWithEveryEpilogue(new PixelGemmStrategy(), g, ActivationKind.HARDSWISH, GemmConvStrategyTest.TOLERANCE);
    }
}
