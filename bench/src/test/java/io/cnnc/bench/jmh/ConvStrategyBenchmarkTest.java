package io.cnnc.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

class ConvStrategyBenchmarkTest {

    private static String[] params(String field) throws NoSuchFieldException {
        return ConvStrategyBenchmark.class.getField(field).getAnnotation(Param.class).value();
    }

    /** JMH parameters are compile-time constants: this catches a strategy added without its benchmark row. */
    @Test
    void theStrategyParameterNamesEveryConvStrategy() throws Exception {
        assertThat(params("strategy")).containsExactlyInAnyOrderElementsOf(ConvStrategies.all().stream().map(ConvStrategy::name).toList());
    }

    @Test
    void everyLayerParameterIsAKnownLayerAndEveryLayerIsBenchmarked() throws Exception {
        assertThat(Arrays.asList(params("layer"))).containsExactlyInAnyOrderElementsOf(ConvLayers.names());
    }

    @Test
    void anUnsupportedCombinationIsMarkedInsteadOfFailingTheRun() {
        ConvStrategyBenchmark b = new ConvStrategyBenchmark();
        b.layer = "3x3-64-64@56";
        b.strategy = "gemm-1x1";
        b.threads = 1;
        b.setup();
        assertThat(b.supported).isFalse();
        assertThat(b.forward()).isNull();
    }

    @Test
    void aSupportedCombinationRunsAForwardPass() {
        ConvStrategyBenchmark b = new ConvStrategyBenchmark();
        b.layer = "5x5-1-6@28";
        b.strategy = "im2col-gemm";
        b.threads = 2;
        b.setup();
        assertThat(b.supported).isTrue();
        float[] y = b.forward();
        assertThat(y).hasSize(6 * 28 * 28);
        assertThat(y).as("a 5x5 conv of random data is not all zero").matches(a -> {
            for (float v : a) if (v != 0) return true;
            return false;
        });
    }
}
