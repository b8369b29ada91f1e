package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.kernels.ConvGeometry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalibratedLayersTest {

    private static ConvGeometry conv(int inC, int hw, int outC, int k, int stride) {
        return new ConvGeometry(inC, hw, hw, outC, k, k, stride, stride, k / 2, k / 2, k / 2, k / 2, 1, 1, 1);
    }

    private static final ConvGeometry ONE_BY_ONE = conv(256, 56, 64, 1, 1);

    private final CalibratedLayers layers = new CalibratedLayers(List.of(
            CalibratedLayers.Row.of("direct", ONE_BY_ONE, 2, 0.48),
            CalibratedLayers.Row.of("direct", conv(64, 56, 64, 3, 1), 2, 0.70),
            CalibratedLayers.Row.of("gemm-1x1", ONE_BY_ONE, 2, 0.52)));

    @Test
    void theCalibratedLayerItselfGetsItsOwnEfficiency() {
        assertThat(layers.near("direct", ONE_BY_ONE, 2).getAsDouble()).isCloseTo(0.48, within(1e-9));
        assertThat(layers.near("gemm-1x1", ONE_BY_ONE, 2).getAsDouble()).isCloseTo(0.52, within(1e-9));
    }

    @Test
    void twoOrMoreThreadsShareTheTwoThreadRows() {
        assertThat(layers.near("direct", ONE_BY_ONE, 4).getAsDouble()).isCloseTo(0.48, within(1e-9));
        assertThat(layers.near("direct", ONE_BY_ONE, 1)).isEmpty();
    }

    @Test
    void aLayerWithAnotherKernelOrStrideOrFarSizesIsNearNone() {
        assertThat(layers.near("direct", conv(64, 56, 64, 5, 1), 2)).isEmpty();
        assertThat(layers.near("direct", conv(256, 56, 64, 1, 2), 2)).isEmpty();
        // 1024 -> 256 @14: 2 + 2 + 4 doublings from the calibrated 1x1.
        assertThat(layers.near("direct", conv(1024, 14, 256, 1, 1), 2)).isEmpty();
    }

    @Test
    void nearerLayersWeighMore() {
        CalibratedLayers two = new CalibratedLayers(List.of(
                CalibratedLayers.Row.of("direct", conv(64, 56, 64, 3, 1), 1, 0.8),
                CalibratedLayers.Row.of("direct", conv(256, 56, 64, 3, 1), 1, 0.4)));
        // 128 -> 64 @56 is one doubling from each: the plain mean.
        assertThat(two.near("direct", conv(128, 56, 64, 3, 1), 1).getAsDouble()).isCloseTo(0.6, within(1e-9));
        // 96 -> 64 is nearer the 64-channel layer.
        assertThat(two.near("direct", conv(96, 56, 64, 3, 1), 1).getAsDouble()).isGreaterThan(0.6);
    }

    @Test
    void rowsSurviveTheirTableLine() {
        CalibratedLayers.Row r = CalibratedLayers.Row.of("winograd-f43-nchwc", conv(128, 28, 128, 3, 1), 1, 0.733);
        assertThat(CalibratedLayers.Row.parse(r.tsv())).isEqualTo(r);
    }

    @Test
    void efficienciesFallBackToTheMedianAwayFromTheCalibratedLayers() {
        Efficiencies e = new Efficiencies(Map.of("direct", 0.6, "direct@2", 0.61), layers);
        assertThat(e.get("direct", ONE_BY_ONE, 2)).isCloseTo(0.48, within(1e-9));
        assertThat(e.get("direct", conv(256, 56, 64, 5, 1), 2)).isEqualTo(0.61);
        assertThat(e.get("direct", ONE_BY_ONE, 1)).isEqualTo(0.6);
    }

    @Test
    void everyShippedTableLoads() {
        for (CpuKind k : CpuKind.values()) {
            CalibratedLayers.load(CalibratedLayers.resourceFor(k.efficiencyTable()));
        }
    }
}
