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

/** The training chooser: the inference cost model's estimates, a blocked kernel charged for the reorders the runner does around it. */
class TrainingConvStrategiesTest {

    @Test
    void aBlockedCandidatePaysForReorderingItsInputAndOutput() {
        Graph g = CompileTestSupport.graph("""
                network T {
                  input x: [32, 16, 16]
                  y = x -> conv(32, 3, pad=1, name="c1") -> relu -> conv(32, 3, pad=1, name="c2") -> gap -> flatten -> dense(10)
                  output y
                }
                """);
        Machine machine = Machine.shipped();
        Map<Node, TrainingConvStrategies.Directions> chosen = TrainingConvStrategies.choose(TrainingPlan.derive(g, Set.of()), machine, 2);
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
}
