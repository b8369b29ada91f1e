package io.cnnc.kernels.cpu;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Runs a compiled network until its time per call stops changing, before anything is timed.
 * A kernel called once per forward pass (the classifier's dense layer, global pooling) is
 * invoked too rarely to reach C2 quickly while the compiler threads are still busy with the
 * convolution kernels and the generated forward method; until then it runs as C1 code, where
 * every Vector API operation allocates, several times slower (docs/embedding.md).
 */
public final class SteadyState {

    private static final long ROUND_NANOS = 250_000_000L;

    private SteadyState() {}

    /** JIT compile time a round may see and still count as steady: 2% of it. */
    private static final long QUIET_JIT_MS = ROUND_NANOS / 50 / 1_000_000;

    /**
     * Calls {@code body} for at least {@code minNanos}, then in rounds of 250 ms until two rounds
     * in a row agree within 1% and the JIT compiled for at most 2% of the second, or
     * {@code maxNanos} have passed in all. Agreement alone was not enough: EfficientNet-B0's
     * generated forward method was still in C2 after two agreeing rounds in a fresh JVM, and
     * timed at 44-48 ms on two threads where a longer warm-up gives 21 (Xeon, 2026-12-07).
     */
    public static void reach(Runnable body, long minNanos, long maxNanos) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - start < minNanos; i++) body.run();
        double previous = Double.POSITIVE_INFINITY;
        while (System.nanoTime() - start < maxNanos) {
            int calls = 0;
            long compiled0 = watchJit ? jit.getTotalCompilationTime() : 0;
            long t0 = System.nanoTime();
            while (calls < 2 || System.nanoTime() - t0 < ROUND_NANOS) {
                body.run();
                calls++;
            }
            double perCall = (System.nanoTime() - t0) / (double) calls;
            boolean quiet = !watchJit || jit.getTotalCompilationTime() - compiled0 <= QUIET_JIT_MS;
            if (quiet && Math.abs(perCall - previous) <= 0.01 * previous) return;
            previous = perCall;
        }
    }
}
