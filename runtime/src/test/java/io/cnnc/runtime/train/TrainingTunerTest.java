package io.cnnc.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.schedule.TuningCache;
import io.cnnc.compiler.train.TrainingConvStrategies.Directions;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.weights.WeightInitializer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training tuner: every conv's forward and data gradient end on one of the cost model's
 * candidates with the measured times as the reason, the times go into the cache, the next tuning
 * reads them instead of measuring, and the weights (running statistics too) are left as they were.
 */
class TrainingTunerTest {

    @Test
    void measuresInTrainingStepsCachesAndLeavesTheWeightsAlone(@TempDir Path dir) throws Exception {
        Graph g = Compiler.compile(new SourceFile("t.cnn", """
                network T { input x: [3, 12, 12]
                  y = conv(16, 3, pad=1) -> bn -> relu
                  y + (y -> conv(16, 3, pad=1) -> bn) -> relu -> conv(32, 3, stride=2, pad=1) -> gap -> flatten -> dense(4)
                }""")).networks().getFirst();
        var params = WeightInitializer.initialize(g, 1);
        float[] runningMean = params.get("bn1.running_mean").data().clone();
        Path cacheFile = dir.resolve("tuning.properties");
        StringWriter log = new StringWriter();
        Map<io.cnnc.compiler.ir.Node, Directions> tuned = TrainingTuner.tune(g, params, Set.of(), 4, 2, name -> true, TuningCache.open(cacheFile),
                new PrintWriter(log, true));
        assertThat(log.toString()).contains("tuned 3 convolutions in training steps");
        assertThat(tuned).hasSize(3);
        for (Directions d : tuned.values()) {
            assertThat(d.forward().reason()).startsWith("measured in training steps: ");
            assertThat(d.forward().measuredMs()).containsKey(d.forward().strategy());
            if (d.data() != null) assertThat(d.data().reason()).startsWith("measured in training steps: ");
        }
        assertThat(Files.readAllLines(cacheFile).stream().filter(l -> l.startsWith("train/"))).isNotEmpty();
        assertThat(params.get("bn1.running_mean").data()).containsExactly(runningMean);

        StringWriter again = new StringWriter();
        var cached = TrainingTuner.tune(g, params, Set.of(), 4, 2, name -> true, TuningCache.open(cacheFile), new PrintWriter(again, true));
        assertThat(again.toString()).doesNotContain("tuned");
        cached.forEach((n, d) -> assertThat(d.forward().strategy()).isEqualTo(tuned.get(n).forward().strategy()));
    }
}
