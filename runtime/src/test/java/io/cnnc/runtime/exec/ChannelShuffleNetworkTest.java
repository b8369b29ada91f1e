package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.backward.SoftmaxCrossEntropy;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.train.GraphTrainer;
import io.cnnc.runtime.train.Sgd;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * channelshuffle in training: a ShuffleNet-style unit (split-free, two branches mixed by the
 * shuffle) learns a batch. Its generated code and TornadoVM fallback are in LayerNetworksTest.
 */
class ChannelShuffleNetworkTest {

    private static final String NET = """
            network Shuffle { input x: [16, 9, 10]
              a = conv(32, 1, groups=4) -> bn -> relu
              b = a -> channelshuffle(4) -> dwconv(3, pad=1) -> bn -> conv(32, 1, groups=4) -> relu
              c = concat(b, a -> channelshuffle(8)) -> channelshuffle(2)
              c -> conv(16, 3, stride=2, pad=1) -> gap -> flatten -> dense(5)
            }""";

    private static Graph graph() throws Exception {
        return Compiler.compile(new SourceFile("s.cnn", NET)).networks().getFirst();
    }

    private static Map<String, float[]> raw(Map<String, Tensor> weights) {
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        return raw;
    }

    private static Tensor input(int batch, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[batch * 16 * 9 * 10];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        return Tensor.of(x, batch, 16, 9, 10);
    }

    /** A few SGD steps on one batch through the op's gradient lower that batch's loss. */
    @Test
    void cpuTrainingLowersTheLoss() throws Exception {
        Graph graph = graph();
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 5);
        GraphTrainer trainer = new GraphTrainer(graph, params, 1, Set.of());
        Sgd sgd = new Sgd(0.9, 0, false);
        int batch = 4;
        float[] x = input(batch, 3).data();
        int[] labels = {0, 3, 1, 4};
        double first = 0, last = 0;
        for (int step = 0; step < 8; step++) {
            trainer.zeroGradients();
            float[] logits = trainer.forward(x, batch, true);
            float[] d = new float[logits.length];
            double loss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, 5, 0, d, null);
            trainer.backward(d);
            sgd.step(raw(params), trainer.gradients(), 0.05);
            if (step == 0) first = loss;
            last = loss;
        }
        assertThat(last).as("loss after 8 steps, from %s", first).isLessThan(first * 0.8);
    }
}
