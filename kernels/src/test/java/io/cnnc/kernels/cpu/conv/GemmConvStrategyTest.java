package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

class GemmConvStrategyTest {

    /**
     * Float sums of up to a few thousand products of values in [-1,1] in a different order than
     * the reference's: errors of order k * 2^-24 relative to the largest output; 1e-5 relative
     * leaves 20x margin at k = 576 and catches any wrong tap (an error of order 1/k or more).
     */
    static final double TOLERANCE = 1e-5;

    static Stream<ConvGeometry> geometries() {
        return Stream.of(
                ConvStrategyCheck.geometry(3, 9, 5, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(16, 13, 24, 3, 2, 1, 1),
                ConvStrategyCheck.geometry(8, 11, 12, 5, 1, 2, 4),
                ConvStrategyCheck.geometry(7, 15, 9, 1, 1, 0, 1),
                ConvStrategyCheck.geometry(6, 8, 6, 3, 1, 1, 6),
                ConvStrategyCheck.geometry(3, 30, 17, 7, 2, 3, 1),
                new ConvGeometry(5, 10, 7, 11, 3, 2, 1, 2, 0, 1, 2, 0, 2, 1, 1),
                new ConvGeometry(4, 9, 9, 4, 3, 3, 2, 1, 1, 1, 1, 1, 2, 2, 2));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void im2colMatchesReferenceWithEveryEpilogue(ConvGeometry g) {
        check(GemmConvStrategy.im2col(), g);
    }

    @ParameterizedTest
    @MethodSource("pointwiseGeometries")
    void pointwiseMatchesReference(ConvGeometry g) {
        check(GemmConvStrategy.pointwise(), g);
    }

    static Stream<ConvGeometry> pointwiseGeometries() {
        return Stream.of(ConvStrategyCheck.geometry(7, 15, 9, 1, 1, 0, 1), ConvStrategyCheck.geometry(40, 6, 70, 1, 1, 0, 2),
                ConvStrategyCheck.geometry(256, 14, 64, 1, 1, 0, 1),
                // Strided: gathered into the panels, runs of 28 / 7 columns crossing 32-column panels.
                ConvStrategyCheck.geometry(64, 56, 128, 1, 2, 0, 1), ConvStrategyCheck.geometry(24, 14, 40, 1, 2, 0, 1),
                ConvStrategyCheck.geometry(9, 13, 5, 1, 2, 0, 1), ConvStrategyCheck.geometry(6, 17, 12, 1, 3, 0, 2),
                new ConvGeometry(5, 11, 37, 7, 1, 1, 2, 3, 0, 0, 0, 0, 1, 1, 1));
    }

    private static void check(ConvStrategy s, ConvGeometry g) {
        ConvStrategyCheck.assertMatchesWithEveryEpilogue(s, g, ActivationKind.HARDSWISH, TOLERANCE);
    }

    @Test
    void pointwiseRefusesWhatItCannotCompute() {
        assertThat(GemmConvStrategy.pointwise().supports(ConvStrategyCheck.geometry(8, 8, 8, 3, 1, 1, 1))).isFalse();
        assertThat(GemmConvStrategy.pointwise().supports(ConvStrategyCheck.geometry(8, 8, 8, 1, 2, 0, 1))).isTrue();
        assertThat(GemmConvStrategy.pointwise().supports(ConvStrategyCheck.geometry(8, 8, 8, 1, 1, 1, 1))).isFalse();
        assertThat(GemmConvStrategy.im2col().supports(ConvStrategyCheck.geometry(8, 8, 8, 5, 2, 1, 8))).isTrue();
    }
}
