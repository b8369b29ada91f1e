package io.cnnc.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The trainer's arrays across passes: an evaluating pass gives every array back once its last
 * reader has run (unless asked to keep them, as visualize does), and a change of batch size (an
 * evaluation, an epoch's last partial batch) in between leaves the next training step's bits
 * as they were.
 */
class GraphTrainerMemoryTest {

    private static final String NET = """
            network M { input x: [3, 8, 8]
              y = conv(8, 3, pad=1) -> bn -> relu
              y + (y -> conv(8, 3, pad=1) -> bn) -> relu -> maxpool(2) -> gap -> flatten -> dense(3)
            }""";

    @Test
    void evaluationKeepsOnlyWhatItIsAskedToKeep() throws Exception {
        Graph g = Compiler.compile(new SourceFile("m.cnn", NET)).networks().getFirst();
        Node conv = g.nodes().getFirst();
        float[] x = input(2);
        GraphTrainer plain = new GraphTrainer(g, WeightInitializer.initialize(g, 1), 0, Set.of());
        float[] logits = plain.forward(x, 2, false).clone();
        assertThat(plain.outputOf(conv)).isNull();
        GraphTrainer keeping = new GraphTrainer(g, WeightInitializer.initialize(g, 1), 0, Set.of());
        keeping.keepOutputs();
        assertThat(keeping.forward(x, 2, false)).containsExactly(logits);
        assertThat(keeping.outputOf(conv)).hasSize(2 * 8 * 8 * 8);
    }

    @Test
    void aTrainingStepAfterAnotherBatchSizeGivesTheSameBits() throws Exception {
        Graph g = Compiler.compile(new SourceFile("m.cnn", NET)).networks().getFirst();
        GraphTrainer t = new GraphTrainer(g, WeightInitializer.initialize(g, 1), 0, Set.of(), GraphTrainer.Engine.COMPILED, 2);
        t.poisonReusedBuffers();
        Map<String, float[]> first = step(t, 4);
        t.forward(input(6), 6, false);
        step(t, 3);
        Map<String, float[]> again = step(t, 4);
        first.forEach((k, v) -> assertThat(again.get(k)).as(k).containsExactly(v));
    }

    private static Map<String, float[]> step(GraphTrainer t, int batch) {
        t.startEpoch(0);
        float[] y = t.forward(input(batch), batch, true);
        float[] dy = new float[y.length];
        for (int i = 0; i < dy.length; i++) dy[i] = (i % 5) - 2;
        t.zeroGradients();
        t.backward(dy);
        Map<String, float[]> out = new java.util.HashMap<>();
        t.gradients().forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    private static float[] input(int batch) {
        Random r = new Random(batch);
        float[] x = new float[batch * 3 * 8 * 8];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }
}
