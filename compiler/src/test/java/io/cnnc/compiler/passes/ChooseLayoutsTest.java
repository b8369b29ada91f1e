package io.cnnc.compiler.passes;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Layout;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.ReorderOp;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChooseLayoutsTest {

    private static Graph optimized(String source) {
        return InferencePipeline.standard().apply(CompileTestSupport.graph(source));
    }

    private static List<String> types(Graph g) {
        return g.nodes().stream().map(n -> n.op() instanceof ReorderOp r ? "reorder>" + r.to() : n.op().type()).toList();
    }

    private static Set<String> convNames(Graph g) {
        return Set.copyOf(g.nodes().stream().filter(n -> n.op().type().startsWith("conv")).map(Node::name).toList());
    }

    @Test
    void noBlockedConvLeavesTheGraphAsItWas() {
        Graph g = optimized("network N { input x: [16, 8, 8]\n conv(16, 3, pad=1) -> relu -> maxpool(2) }");
        assertThat(types(new ChooseLayouts(Set.of(), (n, r) -> true).apply(g))).isEqualTo(types(g));
    }

    @Test
    void aChainOfBlockedConvsIsReorderedOnlyAtItsEnds() {
        Graph g = optimized("network N { input x: [16, 8, 8]\n conv(16, 3, pad=1) -> relu -> conv(32, 3, pad=1) -> relu -> avgpool(2) }");
        Graph after = new ChooseLayouts(convNames(g), (n, r) -> true).apply(g);
        assertThat(types(after)).containsExactly("reorder>NCHWC", "conv+relu", "conv+relu", "reorder>NCHW", "avgpool");
    }

    @Test
    void residualAddsStayBlockedWhenBothSidesAre() {
        Graph g = optimized("""
                network N { input x: [16, 8, 8]
                  a = conv(16, 3, pad=1) -> relu
                  b = a -> conv(16, 3, pad=1)
                  c = a -> conv(16, 1)
                  b + c -> relu -> avgpool(2)
                }""");
        Graph after = new ChooseLayouts(convNames(g), (n, r) -> true).apply(g);
        // the add folds into one conv's epilogue; its residual (the other conv) is blocked already
        assertThat(types(after).stream().filter(t -> t.startsWith("reorder")).toList()).containsExactly("reorder>NCHWC", "reorder>NCHW");
        assertThat(types(after).getLast()).isEqualTo("avgpool");
    }

    @Test
    void aValueReadByTwoPlanarOpsIsReorderedOnce() {
        Graph g = optimized("network N { input x: [16, 8, 8]\n a = conv(16, 3, pad=1)\n p = a -> avgpool(2)\n q = a -> avgpool(3, stride=2, pad=1)\n p + q }");
        Graph after = new ChooseLayouts(convNames(g), (n, r) -> true).apply(g);
        assertThat(types(after)).containsExactly("reorder>NCHWC", "conv", "reorder>NCHW", "avgpool", "avgpool", "add");
        Node back = after.nodes().get(2);
        assertThat(after.nodes().get(3).inputs()).containsExactly(back.output());
        assertThat(after.nodes().get(4).inputs()).containsExactly(back.output());
    }

    @Test
    void aConvNotWorthItsReordersGoesBackToPlanar() {
        Graph g = optimized("network N { input x: [16, 8, 8]\n conv(16, 3, pad=1) -> avgpool(2) }");
        java.util.List<Long> asked = new java.util.ArrayList<>();
        // Worth one reordered tensor of 16x8x8, not two: the input's and the output's.
        ChooseLayouts pass = new ChooseLayouts(convNames(g), (n, elements) -> asked.add(elements) && elements <= 16 * 8 * 8);
        assertThat(pass.blockedAfter(g)).isEmpty();
        assertThat(asked).containsExactly(2L * 16 * 8 * 8);
        assertThat(types(pass.apply(g))).isEqualTo(types(g));
    }

    /** Max and global pooling have blocked kernels: on a blocked input they stay blocked (as a BlockedOp), average pooling does not. */
    @Test
    void maxAndGlobalPoolsFollowABlockedInput() {
        Graph g = optimized("network N { input x: [16, 8, 8]\n conv(16, 3, pad=1) -> maxpool(2) -> conv(32, 3, pad=1) -> gap }");
        Graph after = new ChooseLayouts(convNames(g), (n, r) -> true).apply(g);
        assertThat(types(after)).containsExactly("reorder>NCHWC", "conv", "maxpool", "conv", "gap", "reorder>NCHW");
        assertThat(after.nodes().get(2).op()).isInstanceOf(io.cnnc.compiler.ops.BlockedOp.class);
        assertThat(after.nodes().get(4).op()).isEqualTo(new io.cnnc.compiler.ops.BlockedOp(new io.cnnc.compiler.ops.GlobalPoolOp(io.cnnc.compiler.ops.PoolOp.Kind.AVG)));
        Graph planar = new ChooseLayouts(Set.of(), (n, r) -> true).apply(g);
        assertThat(planar.nodes()).noneMatch(n -> n.op() instanceof io.cnnc.compiler.ops.BlockedOp);
    }

    @Test
    void graphOutputsAreReturnedToNchw() {
        Graph g = optimized("network N { input x: [16, 8, 8]\n conv(16, 3, pad=1) -> relu }");
        Graph after = new ChooseLayouts(convNames(g), (n, r) -> true).apply(g);
        Node last = after.outputs().getFirst().producer();
        assertThat(last.op()).isEqualTo(new ReorderOp(Layout.NCHWC, Layout.NCHW));
    }
}
