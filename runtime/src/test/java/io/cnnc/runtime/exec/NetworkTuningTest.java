package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.TuningCache;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tune} times candidates inside the generated network; the profiled class times every layer. */
class NetworkTuningTest {

    private static final String NET = """
            network Small {
              input x: [4, 10, 10]
              conv(6, 3, pad=1) -> relu -> conv(6, 3, pad=1, stride=2) -> relu -> gap
            }
            """;

    private static Graph graph() throws Exception {
        return Compiler.compile(new SourceFile("small.cnn", NET)).networks().getFirst();
    }

    private static Map<String, float[]> weights(Graph g) {
        Map<String, float[]> raw = new LinkedHashMap<>();
        WeightInitializer.initialize(g, 3).forEach((k, v) -> raw.put(k, v.data()));
        return raw;
    }

    @Test
    void tuningMeasuresEveryCandidateInTheNetworkOnceAndTheCacheDecidesNextTime(@TempDir Path dir) throws Exception {
        Graph g = graph();
        Path file = dir.resolve("tuning.properties");
        CompileOptions tuned = new CompileOptions(1, 1, true, file, true, Set.of());
        CompiledModel first = CompiledModel.compile(g, weights(g), tuned);
        assertThat(first.choices()).hasSize(2);
        Node layer = null;
        for (var e : first.choices().entrySet()) {
            Choice c = e.getValue();
            // Every candidate but blocked ones the layout pass kept planar (their reorders cost more than they save); with
            // 6 channels, which fill no block, there are none, whatever the block width.
            assertThat(c.measuredMs().keySet()).as(e.getKey().name())
                    .containsAll(c.expectedMs().keySet().stream().filter(s -> !ConvStrategies.byName(s).blocked()).toList());
            assertThat(c.measuredMs().values()).allMatch(ms -> ms > 0);
            assertThat(c.measured()).isEqualTo(c.measuredMs().values().stream().min(Double::compare).orElseThrow());
            layer = e.getKey();
        }
        assertThat(Files.readString(file)).contains("|net/Small/");

        // Make the slowest candidate of one layer look fastest in the file: the cache must decide, nothing is re-measured.
        Choice c = first.choices().get(layer);
        String slowest = c.measuredMs().entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        String suffix = "|" + layer.name() + "|" + slowest;
        String key = p.stringPropertyNames().stream().filter(k -> k.endsWith(suffix)).findFirst().orElseThrow();
        TuningCache edited = TuningCache.open(file);
        edited.put(key, 1e-9);
        edited.save();
        CompiledModel second = CompiledModel.compile(g, weights(g), tuned);
        Choice again = second.choices().entrySet().stream().filter(e -> e.getKey().name().equals(suffix.split("\\|")[1]))
                .findFirst().orElseThrow().getValue();
        assertThat(again.strategy()).isEqualTo(slowest);
        assertThat(again.measured()).isEqualTo(1e-9);
    }

    @Test
    void profiledNetworkComputesTheSameAndTimesEveryLayer() throws Exception {
        Graph g = graph();
        CompiledModel model = CompiledModel.compile(g, weights(g), CompileOptions.defaults().withThreads(1));
        CompiledNetwork plain = model.instantiate(Parallel.serial());
        ProfiledNetwork profiled = model.instantiateProfiled(Parallel.serial());
        float[] x = new float[400];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
        assertThat(profiled.forward(new float[][] {x})[0]).containsExactly(plain.forward(new float[][] {x})[0]);
        assertThat(profiled.layerNames()).containsExactlyElementsOf(
                model.optimized().nodes().stream().map(Node::name).filter(n -> !n.startsWith("flatten")).toList());
        assertThat(profiled.layerNanos()).hasSize(profiled.layerNames().length);
        assertThat(java.util.Arrays.stream(profiled.layerNanos()).min().orElseThrow()).isPositive();
        profiled.resetProfile();
        assertThat(profiled.layerNanos()).containsOnly(0L);
    }
}
