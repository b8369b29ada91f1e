package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
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
        Choice c = new StrategyChooser(MACHINE, 1, null, s -> true).choose(G, null);
        double best = c.expectedMs().values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertThat(c.expected()).isEqualTo(best);
        assertThat(c.measuredMs()).isEmpty();
        assertThat(c.expectedMs().keySet()).containsExactlyInAnyOrderElementsOf(
                ConvStrategies.candidates(G).stream().map(s -> s.name()).toList());
    }

    @Test
    void tuningMeasuresOnceAndTheCacheDecidesNextTime(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tuning.properties");
        TuningCache cache = TuningCache.open(file);
        Choice first = new StrategyChooser(MACHINE, 1, cache, s -> true).choose(G, Parallel.serial());
        assertThat(first.measuredMs()).hasSameSizeAs(first.expectedMs());
        cache.save();
        assertThat(Files.readString(file)).contains("test-cpu|t1|");

        // Make the slowest-measured candidate look fastest in the file: a reused cache must decide.
        String slowest = first.measuredMs().entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
        TuningCache edited = TuningCache.open(file);
        edited.put(TuningCache.key(MACHINE, 1, G, slowest), 1e-9);
        edited.save();
        Choice second = new StrategyChooser(MACHINE, 1, TuningCache.open(file), s -> true).choose(G, Parallel.serial());
        assertThat(second.strategy()).isEqualTo(slowest);
        assertThat(second.measured()).isEqualTo(1e-9);
    }

    @Test
    void filteredStrategiesAreNeverChosen() {
        Choice c = new StrategyChooser(MACHINE, 1, null, s -> !s.startsWith("winograd")).choose(G, null);
        assertThat(c.expectedMs().keySet()).noneMatch(s -> s.startsWith("winograd"));
    }

    @Test
    void unreadableCacheIsEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "\\u12");
        assertThat(TuningCache.open(file).size()).isZero();
    }
}
