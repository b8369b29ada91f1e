package io.cnnc.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.train.UpdateRule;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The update a generated training step carries against the optimizer's own loop over the
 * tensors (itself held to torch.optim by OptimizerTest): the same kernels with the same
 * arguments, so after several steps every weight and every state array has the same bits.
 */
class GeneratedUpdateTest {

    static Stream<UpdateRule> rules() {
        return Stream.of(new UpdateRule.Sgd(0, 5e-4, false), new UpdateRule.Sgd(0.9, 5e-4, true), new UpdateRule.Adam(0.9, 0.999, 1e-8, 1e-2, false),
                new UpdateRule.Adam(0.8, 0.99, 1e-6, 1e-2, true));
    }

    @ParameterizedTest
    @MethodSource("rules")
    void theGeneratedUpdateStepsAsTheOptimizerLoopDoes(UpdateRule rule) throws Exception {
        Graph graph = Compiler.compile(new SourceFile("net.cnn", """
                network Net {
                  input x: [2, 6, 6]
                  x -> conv(4, 3, pad=1) -> bn -> relu -> conv(4, 3, stride=2) -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        Map<String, Tensor> generated = WeightInitializer.initialize(graph, 4);
        Map<String, Tensor> looped = WeightInitializer.initialize(graph, 4);
        RuleOptimizer withCode = new RuleOptimizer(rule);
        RuleOptimizer withLoop = new RuleOptimizer(rule);
        ClassifierStep a = step(new GeneratedTrainer(graph, generated, 1, Set.of(), rule, 2, name -> true), withCode, generated);
        // Generated without a rule, the engine leaves the update to the optimizer's loop.
        ClassifierStep b = step(new GeneratedTrainer(graph, looped, 1, Set.of(), null, 2, name -> true), withLoop, looped);
        Random random = new Random(3);
        for (int s = 0; s < 4; s++) {
            float[] x = new float[5 * 72];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            int[] labels = {0, 1, 2, 1, 0};
            assertThat(a.run(x, labels, 5, 0.05, null)).isEqualTo(b.run(x, labels, 5, 0.05, null));
        }
        generated.forEach((k, v) -> assertThat(java.util.Arrays.equals(v.data(), looped.get(k).data())).as(k).isTrue());
        Map<String, float[]> state = withCode.state();
        assertThat(state.keySet()).isEqualTo(withLoop.state().keySet()).hasSize(rule.slots().size() * 8);
        state.forEach((k, v) -> assertThat(java.util.Arrays.equals(v, withLoop.state().get(k))).as(k).isTrue());
    }

    private static ClassifierStep step(GeneratedTrainer engine, RuleOptimizer optimizer, Map<String, Tensor> params) {
        Map<String, float[]> arrays = new HashMap<>();
        params.forEach((k, v) -> arrays.put(k, v.data()));
        return new ClassifierStep(engine, optimizer, arrays, 3, 0);
    }
}
