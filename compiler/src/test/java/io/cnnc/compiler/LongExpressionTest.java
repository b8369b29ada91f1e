package io.cnnc.compiler;

import static io.cnnc.compiler.CompileTestSupport.errors;
import static io.cnnc.compiler.CompileTestSupport.graph;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Shape;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Long and deeply nested expressions are checked to the end without deep recursion. */
class LongExpressionTest {

    private static final String HEAD = "network N {\n  input x: [1, 28, 28]\n";

    private static Shape output(Graph g) {
        return g.outputs().getFirst().shape();
    }

    @Test
    void aConstantSumOfThreeHundredThousandTermsIsEvaluated() {
        Graph g = graph(HEAD + "  dense(" + "1 + ".repeat(299_999) + "1 - 299990)\n}\n");
        assertThat(output(g)).isEqualTo(new Shape(10, 1, 1));
    }

    @Test
    void operatorsStillAssociateToTheLeftAndTimesBindsTighter() {
        assertThat(output(graph(HEAD + "  dense(100 - 50 - 40)\n}\n"))).isEqualTo(new Shape(10, 1, 1));
        assertThat(output(graph(HEAD + "  dense(2 + 3 * 4 - -2 * (1 + 1))\n}\n"))).isEqualTo(new Shape(18, 1, 1));
        assertThat(output(graph(HEAD + "  dense(100 / 5 / 2 % 7)\n}\n"))).isEqualTo(new Shape(3, 1, 1));
    }

    @Test
    void anErrorInsideALongSumIsReportedAtItsPlace() {
        assertThat(errors(HEAD + "  dense(" + "1 + ".repeat(100_000) + "\"a\")\n}\n"))
                .contains("t.cnn:3:").contains("cannot apply '+' to");
    }

    @Test
    void nestingAtTheLimitIsCheckedOnASmallStack() throws InterruptedException {
        String text = HEAD + "  " + "(".repeat(255) + "x" + ")".repeat(255) + " -> relu\n"
                + "  dense(" + "(".repeat(254) + "4" + ")".repeat(254) + ")\n}\n";
        AtomicReference<Object> result = new AtomicReference<>();
        // 512 KiB, half of a Java thread's usual stack: the limit leaves room for callers.
        Thread t = new Thread(null, () -> {
            try {
                result.set(output(graph(text)));
            } catch (Throwable e) {
                result.set(e);
            }
        }, "small-stack", 512 * 1024);
        t.start();
        t.join();
        assertThat(result.get()).isEqualTo(new Shape(4, 1, 1));
    }
}
