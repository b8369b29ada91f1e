package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrategyChooserTest {

    private static final Machine MACHINE = new Machine("test-cpu", 100, 10, 20);
    private static final ConvGeometry G = new ConvGeometry(8, 10, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);

    @Test
    void costModelPicksTheCandidateWithTheLowestEstimate() {
        Choice c = new StrategyChooser(MACHINE, 1, s -> true).choose(G);
        double best = c.expectedMs().values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertThat(c.expected()).isEqualTo(best);
        assertThat(c.measuredMs()).isEmpty();
        assertThat(c.expectedMs().keySet()).containsExactlyInAnyOrderElementsOf(
                ConvStrategies.candidates(G).stream().map(s -> s.name()).toList());
    }

    @Test
    void filteredStrategiesAreNeverChosen() {
        Choice c = new StrategyChooser(MACHINE, 1, s -> !s.startsWith("winograd")).choose(G);
        assertThat(c.expectedMs().keySet()).noneMatch(s -> s.startsWith("winograd"));
    }

    @Test
    void aLayerRunsOnOneThreadWhereTheModelExpectsItFasterThere() {
        // direct at 0.5 of peak alone and 0.2 per core on two: 0.4 in all, slower than one core.
        CostModel slowOnTwo = new CostModel(new Machine("m", 100, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY),
                new Efficiencies(Map.of("direct", 0.5, "direct@2", 0.2)));
        Choice c = new StrategyChooser(slowOnTwo, 2, "direct"::equals, Set.of()).choose(G);
        assertThat(c.strategy()).isEqualTo("direct");
        assertThat(c.threads()).isEqualTo(1);
        assertThat(c.reason()).startsWith("1 thread:");
        assertThat(c.expected()).isEqualTo(slowOnTwo.estimate(ConvStrategies.DIRECT, G, 1).ms()).isLessThan(slowOnTwo.estimate(ConvStrategies.DIRECT, G, 2).ms());
    }

    @Test
    void aLayerThatGainsMoreThanTheHandOverFromMoreThreadsKeepsThem() {
        CostModel scales = new CostModel(new Machine("m", 100, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY),
                new Efficiencies(Map.of("direct", 0.5, "direct@2", 0.45)));
        ConvGeometry big = new ConvGeometry(64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Choice c = new StrategyChooser(scales, 2, "direct"::equals, Set.of()).choose(big);
        assertThat(c.threads()).isEqualTo(2);
        assertThat(c.expected()).isEqualTo(scales.estimate(ConvStrategies.DIRECT, big, 2).ms())
                .isLessThan(scales.estimate(ConvStrategies.DIRECT, big, 1).ms() - StrategyChooser.HANDOVER_MS);
    }

    @Test
    void aLayerThatGainsLessThanTheHandOverRunsAlone() {
        CostModel scales = new CostModel(new Machine("m", 100, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY),
                new Efficiencies(Map.of("direct", 0.5, "direct@2", 0.45)));
        Choice c = new StrategyChooser(scales, 2, "direct"::equals, Set.of()).choose(G);
        assertThat(scales.estimate(ConvStrategies.DIRECT, G, 2).ms()).isLessThan(scales.estimate(ConvStrategies.DIRECT, G, 1).ms());
        assertThat(c.threads()).isEqualTo(1);
    }

    @Test
    void unreadableCacheIsEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "\\u12");
        assertThat(TuningCache.open(file).size()).isZero();
    }
}
