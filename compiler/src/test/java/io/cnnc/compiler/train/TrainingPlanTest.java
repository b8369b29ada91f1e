package io.cnnc.compiler.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The training plan's steps, golden in its text form; each expectation was checked by hand
 * against the network. relu1 folds into bn1, whose output only it reads; relu2 follows a conv,
 * which does not absorb one.
 */
class TrainingPlanTest {

    /** Also TrainingMemoryPlanTest's. */
    static final String NET = """
            network T {
              input x: [1, 8, 8]
              a = x -> conv(4, 3, pad=1, name="c1") -> bn(name="bn1") -> relu
              b = a -> conv(4, 3, pad=1, name="c2") -> relu
              y = (a + b) -> gap -> flatten -> dense(10, name="fc")
              output y
            }
            """;

    /** A ReLU that is the network's output is not folded: its gradient is the caller's array, which a conv's backward would mask in place. */
    @Test
    void aReluThatIsTheOutputStaysItsOwnStep() {
        String plan = TrainingPlan.derive(CompileTestSupport.graph("""
                network R {
                  input x: [2, 4, 4]
                  y = x -> conv(3, 3, pad=1, name="c") -> relu
                  output y
                }
                """), Set.of()).print();
        assertThat(plan).doesNotContain("fold relu1").contains("backward relu1 (relu)");
    }

    @Test
    void everyNodeBackwardButNoGradientIntoTheNetworkInput() {
        assertThat(TrainingPlan.derive(CompileTestSupport.graph(NET), Set.of()).print()).isEqualTo("""
                training T: 9 nodes forward, 9 backward, 8 tensors updated
                fold relu1 (relu) into bn1
                fold relu2 (relu) into c2
                backward fc (dense) d[%16[4, 1, 1]] params
                backward flatten1 (flatten) d[%14[4, 1, 1]]
                backward gap1 (gap) d[%12[4, 8, 8]]
                backward add1 (add) d[%6[4, 8, 8], %10[4, 8, 8]]
                backward relu2 (relu) d[%8[4, 8, 8]]
                backward c2 (conv) d[%6[4, 8, 8]] params
                backward relu1 (relu) d[%4[4, 8, 8]]
                backward bn1 (bn) d[%2[4, 8, 8]] params
                backward c1 (conv) params
                update c1.weight c1.bias bn1.weight bn1.bias c2.weight c2.bias fc.weight fc.bias
                """);
    }

    @Test
    void aFrozenBackboneGetsNoBackward() {
        assertThat(TrainingPlan.derive(CompileTestSupport.graph(NET), Set.of("c1", "bn1", "c2")).print()).isEqualTo("""
                training T: 9 nodes forward, 1 backward, 2 tensors updated
                fold relu1 (relu) into bn1
                fold relu2 (relu) into c2
                backward fc (dense) params
                update fc.weight fc.bias
                """);
    }

    /** The skip connection from the frozen relu1 into add1 needs no gradient; the branch through c2 does. */
    @Test
    void aFrozenPrefixStopsTheGradientWhereNothingBeforeItLearns() {
        assertThat(TrainingPlan.derive(CompileTestSupport.graph(NET), Set.of("c1", "bn1")).print()).isEqualTo("""
                training T: 9 nodes forward, 6 backward, 4 tensors updated
                fold relu1 (relu) into bn1
                fold relu2 (relu) into c2
                backward fc (dense) d[%16[4, 1, 1]] params
                backward flatten1 (flatten) d[%14[4, 1, 1]]
                backward gap1 (gap) d[%12[4, 8, 8]]
                backward add1 (add) d[%10[4, 8, 8]]
                backward relu2 (relu) d[%8[4, 8, 8]]
                backward c2 (conv) params
                update c2.weight c2.bias fc.weight fc.bias
                """);
    }

    /** A branch that does not reach the output gets no backward, even with parameters. */
    @Test
    void aBranchTheLossDoesNotReadGetsNoBackward() {
        Graph g = CompileTestSupport.graph("""
                network D {
                  input x: [2, 4, 4]
                  a = x -> conv(2, 1, name="c1")
                  unused = a -> conv(2, 1, name="dead")
                  y = a -> gap -> flatten -> dense(3, name="fc")
                  output y
                }
                """);
        assertThat(TrainingPlan.derive(g, Set.of()).backward()).extracting(b -> b.node().name()).containsExactly("fc", "flatten1", "gap1", "c1");
    }

    /** The optimizer is the plan's last step, printed in the train section's syntax. */
    @Test
    void theUpdateStepCarriesItsRule() {
        String sgd = TrainingPlan.derive(CompileTestSupport.graph(NET), Set.of("c1", "bn1", "c2"), new UpdateRule.Sgd(0.9, 5e-4, true)).print();
        assertThat(sgd).endsWith("update sgd(momentum=0.9, weight_decay=0.0005, nesterov=true): fc.weight fc.bias\n");
        assertThat(new UpdateRule.Adam(0.9, 0.999, 1e-8, 0.01, true).print()).isEqualTo("adamw(beta1=0.9, beta2=0.999, eps=0.00000001, weight_decay=0.01)");
        assertThat(new UpdateRule.Sgd(0, 0, false).slots()).isEmpty();
        assertThat(new UpdateRule.Adam(0.9, 0.999, 1e-8, 0, false).slots()).containsExactly("exp_avg", "exp_avg_sq");
    }
}
