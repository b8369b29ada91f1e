package io.cnnc.compiler.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cnnc.compiler.Compiler;
import io.cnnc.dsl.Diagnostic;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.SourceFile;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Property: deep nesting, very long sums, chains and constants, alone or mutated, end with a
 * result or with diagnostics inside the file, and never take longer than {@link #BOUND_SECONDS}
 * (a hang, not a speed target), throw, or overflow the stack.
 */
class DeepAndLongSourceFuzzTest {

    private static final long BOUND_SECONDS = 10;
    private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-input");
        t.setDaemon(true); // a hung input must not keep the test JVM alive
        return t;
    });

    @AfterContainer
    static void stop() {
        RUNNER.shutdownNow();
    }

    @Property(tries = 60)
    void checkingEndsInTimeWithAResultOrDiagnostics(@ForAll("inputs") String text) throws Exception {
        SourceFile source = new SourceFile("fuzz.cnn", text);
        Diagnostics diagnostics = new Diagnostics(source);
        Future<?> run = RUNNER.submit(() -> Compiler.compile(source, diagnostics));
        try {
            run.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            fail("no result within " + BOUND_SECONDS + " s for an input of " + text.length() + " characters starting "
                    + text.substring(0, Math.min(200, text.length())));
        }
        int lines = (int) source.text().lines().count() + 1;
        for (Diagnostic d : diagnostics.errors()) {
            assertThat(d.span().line()).as(d.message()).isBetween(1, lines);
            assertThat(d.render()).startsWith("fuzz.cnn:" + d.span().line() + ":" + d.span().column() + ": error: ");
        }
    }

    @Provide
    Arbitrary<String> inputs() {
        return Arbitraries.longs().map(seed -> input(new Random(seed)));
    }

    private static String input(Random r) {
        int size = r.nextInt(4) == 0 ? 1 + r.nextInt(300_000) : 1 + r.nextInt(400);
        String head = "network N {\n  input x: [1, 28, 28]\n";
        String body = switch (r.nextInt(9)) {
            case 0 -> "  " + "(".repeat(size) + "x" + ")".repeat(size) + " -> relu";
            case 1 -> "  " + "repeat 1 {".repeat(size) + "relu" + "}".repeat(size);
            case 2 -> "  dense(" + "(".repeat(size) + "4" + ")".repeat(size) + ")";
            case 3 -> "  y = x\n  " + "x + ".repeat(size) + "y";
            case 4 -> "  x" + " -> relu".repeat(size);
            case 5 -> "  dense(" + "1 + ".repeat(size) + "1 - " + size + ")";
            case 6 -> "  dense(" + "-".repeat(size) + "4)";
            case 7 -> "  concat(" + "concat(x, ".repeat(Math.min(size, 2000)) + "x" + ")".repeat(Math.min(size, 2000)) + ", x)";
            default -> "  dense(" + "(4 * ".repeat(size) + "1" + ")".repeat(size) + ")";
        };
        String text = head + body + "\n}\n";
        // Half the inputs are also mutated at the character and token level, so that errors land inside the deep parts.
        return r.nextBoolean() ? MutatedSourceFuzzTest.mutate(text, r) : text;
    }
}
