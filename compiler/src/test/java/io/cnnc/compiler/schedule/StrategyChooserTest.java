package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void unreadableCacheIsEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "\\u12");
        assertThat(TuningCache.open(file).size()).isZero();
    }
}
