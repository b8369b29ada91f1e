package io.cnnc.compiler.passes;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each pass on a small graph, before and after, read as the list of node types. */
class PassesTest {

    private static List<String> types(Graph g) {
        return g.nodes().stream().map(n -> n.op().type()).toList();
    }

    @Test
    void batchNormFoldsIntoTheConvBeforeIt() {
        Graph g = CompileTestSupport.graph("network N { input x: [3, 8, 8]\n conv(4, 3) -> bn -> relu -> conv(2, 1) }");
        Graph after = new FoldBatchNorm().apply(g);
        assertThat(types(g)).containsExactly("conv", "bn", "relu", "conv");
        assertThat(types(after)).containsExactly("conv+bn", "relu", "conv");
        FusedConvOp f = (FusedConvOp) after.nodes().getFirst().op();
        assertThat(f.convName()).isEqualTo(g.nodes().get(0).name());
        assertThat(f.bnName()).isEqualTo(g.nodes().get(1).name());
        assertThat(after.outputs().getFirst().shape()).isEqualTo(g.outputs().getFirst().shape());
    }

    @Test
    void batchNormStaysWhenTheConvOutputIsAlsoReadElsewhere() {
        Graph g = CompileTestSupport.graph("network N { input x: [3, 8, 8]\n a = conv(4, 3)\n b = a -> bn\n a + b }");
        assertThat(types(new FoldBatchNorm().apply(g))).containsExactly("conv", "bn", "add");
    }

    @Test
    void batchNormAfterSomethingElseStays() {
        Graph g = CompileTestSupport.graph("network N { input x: [3, 8, 8]\n bn -> conv(4, 3) }");
        assertThat(types(new FoldBatchNorm().apply(g))).containsExactly("bn", "conv");
    }

    @Test
    void activationJoinsTheConvEpilogue() {
        Graph g = CompileTestSupport.graph("network N { input x: [3, 8, 8]\n conv(4, 3) -> relu6 -> gap -> relu }");
        assertThat(types(new FuseActivation().apply(g))).containsExactly("conv+relu6", "gap", "relu");
    }

    @Test
    void residualAddThenReluBecomesOneConv() {
        Graph g = CompileTestSupport.graph("""
                network N { input x: [4, 8, 8]
                  y = conv(4, 3, pad=1) -> bn -> relu -> conv(4, 3, pad=1) -> bn
                  y + x -> relu
                }""");
        Graph after = InferencePipeline.standard().apply(g);
        assertThat(types(after)).containsExactly("conv+bn+relu", "conv+bn+add+relu");
        Node last = after.nodes().getLast();
        assertThat(last.inputs().get(1)).isSameAs(after.inputs().getFirst());
        assertThat(last.inputs().get(0)).isSameAs(after.nodes().getFirst().output());
    }

    @Test
    void projectionShortcutFusesTheLaterConvAndKeepsTheOther() {
        Graph g = CompileTestSupport.graph("""
                network N { input x: [4, 8, 8]
                  y = conv(8, 3, stride=2, pad=1) -> bn
                  s = x -> conv(8, 1, stride=2) -> bn
                  y + s -> relu
                }""");
        assertThat(types(InferencePipeline.standard().apply(g))).containsExactly("conv+bn", "conv+bn+add+relu");
    }

    @Test
    void activationBeforeTheAddBlocksResidualFusion() {
        Graph g = CompileTestSupport.graph("network N { input x: [4, 8, 8]\n y = conv(4, 3, pad=1) -> relu\n y + x }");
        assertThat(types(InferencePipeline.standard().apply(g))).containsExactly("conv+relu", "add");
    }

    @Test
    void dropoutDisappearsAndItsReaderReadsItsInput() {
        Graph g = CompileTestSupport.graph("network N { input x: [4, 8, 8]\n flatten -> dropout(0.5) -> dense(3) }");
        Graph after = new RemoveDropout().apply(g);
        assertThat(types(after)).containsExactly("flatten", "dense");
        assertThat(after.nodes().get(1).inputs().getFirst()).isSameAs(after.nodes().get(0).output());
    }

    @Test
    void deadBranchIsRemoved() {
        Graph g = CompileTestSupport.graph("network N { input x: [4, 8, 8]\n unused = x -> conv(2, 3)\n x -> relu }");
        assertThat(types(g)).containsExactly("conv", "relu");
        assertThat(types(new EliminateDeadNodes().apply(g))).containsExactly("relu");
    }

    @Test
    void passesLeaveUnrelatedGraphsAlone() {
        Graph g = CompileTestSupport.graph("network N { input x: [4, 8, 8]\n maxpool(2) -> flatten -> dense(3) -> softmax }");
        for (Pass p : InferencePipeline.standard().passes()) assertThat(p.apply(g)).as(p.name()).isSameAs(g);
    }
}
