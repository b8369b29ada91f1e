package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.ops.ReorderOp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Layouts around a planar conv between two blocked ones. The blocked neighbours win by far more
 * than any reorder costs; the middle conv's choice decides whether the chain stays blocked.
 * A reorder of the 32x28x28 tensor costs about 0.0045 ms (LayoutChoice's 0.18 ns per element),
 * so the middle conv causes about 0.009 ms of reorders when it stays planar.
 */
class LayoutChoiceTest {

    private static final Graph CHAIN = io.cnnc.compiler.passes.InferencePipeline.standard().apply(CompileTestSupport.graph("""
            network Chain {
              input x: [32, 28, 28]
              conv(32, 3, pad=1) -> conv(32, 1) -> conv(32, 3, pad=1)
            }
            """));

    @Test
    void aPlanarConvThatLosesLessThanItsReordersCostTurnsBlocked() {
        LayoutChoice.Result r = LayoutChoice.apply(CHAIN, choices(0.010, 0.015), 1);
        assertThat(strategies(r)).containsExactly("direct-nchwc", "direct-nchwc", "direct-nchwc");
        assertThat(r.choices().values()).element(1).extracting(Choice::reason).asString().startsWith("blocked: gemm-1x1");
        // Only the graph's input and output are reordered.
        assertThat(r.graph().nodes()).filteredOn(n -> n.op() instanceof ReorderOp).hasSize(2);
    }

    @Test
    void aPlanarConvWhoseBlockedStrategyLosesMoreThanTheReordersStaysPlanar() {
        LayoutChoice.Result r = LayoutChoice.apply(CHAIN, choices(0.010, 0.200), 1);
        assertThat(strategies(r)).containsExactly("direct-nchwc", "gemm-1x1", "direct-nchwc");
        assertThat(r.graph().nodes()).filteredOn(n -> n.op() instanceof ReorderOp).hasSize(4);
    }

    /** Outer convs blocked (1 ms ahead of planar); the middle one planar at {@code planarMs}, direct-nchwc at {@code blockedMs}. */
    private static Map<Node, Choice> choices(double planarMs, double blockedMs) {
        Map<Node, Choice> out = new LinkedHashMap<>();
        List<Node> convs = CHAIN.nodes().stream().filter(n -> n.op() instanceof FusedConvOp).toList();
        for (int i = 0; i < convs.size(); i++) {
            Map<String, Double> ms = i == 1 ? Map.of("gemm-1x1", planarMs, "direct-nchwc", blockedMs) : Map.of("direct", 1.1, "direct-nchwc", 0.1);
            String best = i == 1 ? "gemm-1x1" : "direct-nchwc";
            out.put(convs.get(i), new Choice(best, 1, "model", ms, Map.of()));
        }
        return out;
    }

    private static List<String> strategies(LayoutChoice.Result r) {
        return r.choices().values().stream().map(Choice::strategy).toList();
    }
}
