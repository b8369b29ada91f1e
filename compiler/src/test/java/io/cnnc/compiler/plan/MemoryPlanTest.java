package io.cnnc.compiler.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.passes.InferencePipeline;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryPlanTest {

    @Test
    void chainOfSameSizedLayersPingPongsBetweenTwoBuffers() {
        Graph g = CompileTestSupport.graph("network N { input x: [4, 8, 8]\n relu -> sigmoid -> tanh -> relu6 -> gelu }");
        MemoryPlan plan = MemoryPlan.of(g);
        assertThat(plan.slotSizes()).containsExactly(256L, 256L);
        assertThat(plan.peakBytes(2)).isEqualTo(2 * 256 * 2 * 4);
        assertThat(plan.unsharedBytes(2)).isEqualTo(5 * 256 * 2 * 4);
    }

    @Test
    void valueStaysLiveUntilItsLastReaderAndNeverSharesWithIt() {
        Graph g = InferencePipeline.standard().apply(CompileTestSupport.graph("""
                network N { input x: [4, 8, 8]
                  a = x -> relu
                  b = a -> sigmoid -> tanh -> relu6
                  a + b -> softmax
                }"""));
        MemoryPlan plan = MemoryPlan.of(g);
        assertLiveValuesNeverShare(g, plan);
        assertThat(plan.slotSizes().size()).isLessThan(g.nodes().size());
    }

    @Test
    void flattenIsAViewOfItsInput() {
        Graph g = CompileTestSupport.graph("network N { input x: [4, 8, 8]\n relu -> flatten -> dense(3) }");
        MemoryPlan plan = MemoryPlan.of(g);
        assertThat(plan.slot(g.nodes().get(1).output())).isEqualTo(plan.slot(g.nodes().get(0).output()));
        assertThat(plan.slot(g.inputs().getFirst())).isEqualTo(-1);
    }

    @Test
    void resnetLikeGraphsReuseBuffersSafely() {
        Graph g = InferencePipeline.standard().apply(CompileTestSupport.graph("""
                block basic(c) {
                  y = conv(c, 3, pad=1) -> bn -> relu -> conv(c, 3, pad=1) -> bn
                  y + in -> relu
                }
                network R { input x: [3, 16, 16]
                  conv(8, 3, pad=1) -> relu -> basic(8) -> basic(8) -> basic(8) -> maxpool(2) -> gap -> flatten -> dense(4)
                }"""));
        MemoryPlan plan = MemoryPlan.of(g);
        assertLiveValuesNeverShare(g, plan);
        assertThat(plan.peakBytes(1)).isLessThan(plan.unsharedBytes(1) / 2);
    }

    /** Replays the graph: when a node writes its slot, no value still to be read may live there. */
    private static void assertLiveValuesNeverShare(Graph g, MemoryPlan plan) {
        Map<Value, Integer> lastUse = new HashMap<>();
        List<Node> nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) for (Value v : nodes.get(i).inputs()) lastUse.put(v, i);
        for (Value v : g.outputs()) lastUse.put(v, Integer.MAX_VALUE);
        for (int i = 0; i < nodes.size(); i++) {
            Value out = nodes.get(i).output();
            int slot = plan.slot(out);
            for (int j = 0; j < i; j++) {
                Value earlier = nodes.get(j).output();
                if (plan.slot(earlier) == slot && !nodes.get(i).op().type().equals("flatten")) {
                    assertThat(lastUse.getOrDefault(earlier, j)).as("%s overwritten by %s while still needed", earlier, out).isLessThan(i);
                }
            }
        }
    }
}
