package io.cnnc.compiler.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.StrategyChooser;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The training chooser: the inference cost model's estimates, each kernel charged for the
 * reorders the runner does where its layout and its tensors' differ.
 */
class TrainingConvStrategiesTest {

    private static final String NET = """
            network T {
              input x: [32, 16, 16]
              y = x -> conv(32, 3, pad=1, name="c1") -> relu -> conv(32, 3, pad=1, name="c2") -> gap -> flatten -> dense(10)
              output y
            }
            """;

    @Test
    void onNchwTensorsABlockedCandidatePaysForReorderingItsInputAndOutput() {
        Graph g = CompileTestSupport.graph(NET);
        Machine machine = Machine.shipped();
        Map<Node, TrainingConvStrategies.Directions> chosen = TrainingConvStrategies.choose(TrainingPlan.derive(g, Set.of()), machine, 2,
                name -> true, TrainingLayouts.planar());
        TrainingConvStrategies.Directions c2 = chosen.entrySet().stream().filter(e -> e.getKey().name().equals("c2")).findFirst().orElseThrow().getValue();
        ConvGeometry geometry = c2.forwardGeometry();
        Choice inference = new StrategyChooser(machine, 1, name -> TrainingConvStrategies.allowed(name, geometry)).choose(geometry);
        double reorderMs = 2 * 32 * 16 * 16 * machine.reorderNanosPerElement() * 1e-6;
        assertThat(c2.forward().expectedMs()).containsOnlyKeys(inference.expectedMs().keySet());
        int blocked = 0;
        for (var e : inference.expectedMs().entrySet()) {
            boolean isBlocked = ConvStrategies.byName(e.getKey()).blocked();
            if (isBlocked) blocked++;
            assertThat(c2.forward().expectedMs().get(e.getKey())).as(e.getKey())
                    .isCloseTo(e.getValue() + (isBlocked ? reorderMs : 0), within(1e-12));
        }
        assertThat(blocked).as("blocked candidates compared").isPositive();
        double best = c2.forward().expectedMs().values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertThat(c2.forward().expected()).isEqualTo(best);
    }

    /**
     * With the layouts the first choice leads to, every candidate pays for the elements whose
     * layout differs from its own: c1's output (c2's input) is blocked when blocked kernels won
     * there, so a planar c2 pays for its input and a blocked one for its NCHW output only where
     * that output is NCHW.
     */
    @Test
    void withTheChosenLayoutsEachCandidatePaysForWhatItsLayoutDiffersIn() {
        Graph g = CompileTestSupport.graph(NET);
        Machine machine = Machine.shipped();
        TrainingPlan plan = TrainingPlan.derive(g, Set.of());
        Map<Node, TrainingConvStrategies.Directions> planar = TrainingConvStrategies.choose(plan, machine, 2, name -> true, TrainingLayouts.planar());
        TrainingLayouts layouts = TrainingLayouts.choose(plan, planar);
        Map<Node, TrainingConvStrategies.Directions> chosen = TrainingConvStrategies.choose(plan, machine, 2);
        Node node = chosen.keySet().stream().filter(n -> n.name().equals("c2")).findFirst().orElseThrow();
        var l = layouts.conv(node);
        ConvGeometry geometry = chosen.get(node).forwardGeometry();
        Choice inference = new StrategyChooser(machine, 1, name -> TrainingConvStrategies.allowed(name, geometry)).choose(geometry);
        double perElement = machine.reorderNanosPerElement() * 1e-6;
        int elements = 32 * 16 * 16;
        for (var e : inference.expectedMs().entrySet()) {
            boolean blocked = ConvStrategies.byName(e.getKey()).blocked();
            int differing = (blocked == l.input() ? 0 : elements) + (blocked == l.output() ? 0 : elements);
            assertThat(chosen.get(node).forward().expectedMs().get(e.getKey())).as(e.getKey() + " with " + l)
                    .isCloseTo(e.getValue() + differing * perElement, within(1e-12));
        }
    }
}
