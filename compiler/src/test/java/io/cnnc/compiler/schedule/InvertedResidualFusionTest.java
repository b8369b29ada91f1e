package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.ops.InvertedResidualOp;
import io.cnnc.compiler.passes.InferencePipeline;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fused block against its layers apart, on hand-made choices (1 ms a layer) and a machine
 * whose fused-kernel efficiency is set: fused where the model expects it faster, apart where
 * not, always under {@code --strategies inverted-residual}, never under a list of conv strategies.
 */
class InvertedResidualFusionTest {

    private static final Graph BLOCK = InferencePipeline.standard().apply(CompileTestSupport.graph("""
            network Block {
              input x: [24, 28, 28]
              y = conv(96, 1, bias=false) -> bn -> relu6 -> dwconv(3, pad=1, bias=false) -> bn -> relu6 -> conv(24, 1, bias=false) -> bn
              y + x
            }
            """));

    @BeforeAll
    static void needs512BitVectors() {
        assumeTrue(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 16, "the fused kernel needs 512-bit vectors");
    }

    @Test
    void fusesWhereTheModelExpectsTheBlockFaster() {
        InvertedResidualFusion.Result r = InvertedResidualFusion.apply(laidOut(), machine(4.0), 1, Set.of());
        assertThat(r.fused()).hasSize(1);
        assertThat(r.graph().nodes()).filteredOn(n -> n.op() instanceof InvertedResidualOp).singleElement()
                .satisfies(n -> assertThat(((InvertedResidualOp) n.op()).residual()).isTrue());
        assertThat(r.choices()).isEmpty();
        assertThat(r.fused().getFirst().reason()).contains("against 3.000 for its layers apart");
    }

    @Test
    void keepsTheLayersApartWhereTheyAreExpectedFaster() {
        InvertedResidualFusion.Result r = InvertedResidualFusion.apply(laidOut(), machine(0.001), 1, Set.of());
        assertThat(r.fused()).isEmpty();
        assertThat(r.keptApart()).hasSize(1);
        assertThat(r.graph().nodes()).noneMatch(n -> n.op() instanceof InvertedResidualOp);
        assertThat(r.choices()).hasSize(3);
    }

    @Test
    void strategiesNamedOnTheCommandLineDecide() {
        assertThat(InvertedResidualFusion.apply(laidOut(), machine(0.001), 1, Set.of("inverted-residual")).fused()).hasSize(1);
        InvertedResidualFusion.Result none = InvertedResidualFusion.apply(laidOut(), machine(4.0), 1, Set.of("gemm-1x1"));
        assertThat(none.fused()).isEmpty();
        assertThat(none.keptApart()).isEmpty();
    }

    /** Every conv planar at 1 ms, so nothing is reordered. */
    private static LayoutChoice.Result laidOut() {
        Map<Node, Choice> choices = new LinkedHashMap<>();
        for (Node n : BLOCK.nodes()) {
            if (!(n.op() instanceof FusedConvOp f)) continue;
            String s = f.conv().groups() > 1 ? "depthwise" : "gemm-1x1";
            choices.put(n, new Choice(s, 1, "model", Map.of(s, 1.0), Map.of()));
        }
        return LayoutChoice.apply(BLOCK, choices, 1);
    }

    private static Machine machine(double fusedEfficiency) {
        Machine shipped = Machine.shipped();
        return shipped.calibratedBy(new Calibration(shipped.cpu(), 100, 20, 30, 0.015, 0.18,
                Map.of(InvertedResidualFusion.EFFICIENCY_KEY, fusedEfficiency), List.of(), "2026-12-07", 1));
    }
}
