package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DepthwiseStrategyTest {

    /** At most kH*kW (here 49) products per output: float error ~1e-6 relative; 1e-5 still catches a wrong tap. */
    private static final double TOLERANCE = 1e-5;

    private final DepthwiseStrategy strategy = new DepthwiseStrategy();

    static Stream<ConvGeometry> geometries() {
        return Stream.of(
                ConvStrategyCheck.geometry(5, 9, 5, 3, 1, 1, 5),
                ConvStrategyCheck.geometry(7, 37, 7, 3, 2, 1, 7),
                ConvStrategyCheck.geometry(3, 20, 3, 5, 1, 2, 3),
                ConvStrategyCheck.geometry(4, 17, 8, 3, 1, 0, 4),
                ConvStrategyCheck.geometry(6, 11, 6, 7, 3, 3, 6),
                ConvStrategyCheck.geometry(2, 2, 2, 3, 1, 1, 2),
                new ConvGeometry(3, 13, 40, 6, 3, 5, 2, 1, 0, 3, 2, 1, 2, 2, 3),
                new ConvGeometry(4, 33, 18, 4, 3, 3, 1, 2, 1, 1, 1, 1, 1, 3, 4));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void matchesReferenceWithEveryEpilogue(ConvGeometry g) {
        ConvStrategyCheck.assertMatchesWithEveryEpilogue(strategy, g, ActivationKind.RELU6, TOLERANCE);
    }

    @Test
    void onlyOneInputChannelPerGroup() {
        assertThat(strategy.supports(ConvStrategyCheck.geometry(8, 9, 8, 3, 1, 1, 4))).isFalse();
        assertThat(strategy.supports(ConvStrategyCheck.geometry(8, 9, 8, 3, 1, 1, 1))).isFalse();
    }
}
