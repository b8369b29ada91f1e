package io.cnnc.compiler.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The training memory plan of TrainingPlanTest's network, every expectation worked out by hand
 * from what each op's gradient rule reads (shapes [4, 8, 8]: 256 floats an image).
 */
class TrainingMemoryPlanTest {

    private static final String NET = TrainingPlanTest.NET;

    /**
     * bn1's output (relu1 folded in) is read by c2's weight gradient and by bn1's own ReLU mask:
     * rebuilt from c1's output, which bn1's gradient keeps anyway. c2's output (relu2 folded in)
     * stays for its mask. add1's and gap1's outputs are read by no gradient rule (the add and
     * average pool read only shapes), so they go after the forward.
     */
    @Test
    void dropsWhatNoGradientReadsAndRecomputesBatchNorm() {
        Graph g = CompileTestSupport.graph(NET);
        TrainingMemoryPlan m = TrainingMemoryPlan.of(TrainingPlan.derive(g, Set.of()));
        assertThat(m.print(1024).lines().filter(l -> !l.startsWith("memory:")).toList()).containsExactly(
                "recompute bn1 for the backward", "drop add1 after the forward", "drop gap1 after the forward");
        // Kept: c1, c2 (256 each), flatten1 (4, the dense layer's input) and the output fc (10).
        assertThat(m.keptFloats()).isEqualTo(526);
        // The peak: c2's backward, with c1, c2 (its ReLU's mask, held until c2's gradients are done), flatten1 and fc kept, bn1
        // recomputed, the gradient add1 gave bn1's output, c2's output gradient and its input gradient.
        assertThat(m.peakFloats()).isEqualTo(526 + 4 * 256 - 4);
        assertThat(m.recomputedBefore(node(g, "c2"))).extracting(Node::name).containsExactly("bn1");
        assertThat(m.freedAfterForward(node(g, "add1"))).extracting(Node::name).containsExactly("bn1");
        assertThat(m.freedAfterBackward(node(g, "bn1"))).extracting(Node::name).containsExactly("c1", "bn1");
        assertThat(m.print(1024)).endsWith("memory: keep 2.1 MiB of 4.1 MiB activations, peak 6.0 MiB with gradients (batch 1024; kernels' scratch not counted)\n");
    }

    /** A frozen batch norm saves no statistics to recompute from: its output is kept for c2's weight gradient. */
    @Test
    void aFrozenBatchNormIsKept() {
        Graph g = CompileTestSupport.graph(NET);
        TrainingMemoryPlan m = TrainingMemoryPlan.of(TrainingPlan.derive(g, Set.of("c1", "bn1")));
        assertThat(m.fate(node(g, "bn1"))).isEqualTo(TrainingMemoryPlan.Fate.KEPT);
        assertThat(m.fate(node(g, "c1"))).isEqualTo(TrainingMemoryPlan.Fate.DROPPED);
    }

    private static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }
}
