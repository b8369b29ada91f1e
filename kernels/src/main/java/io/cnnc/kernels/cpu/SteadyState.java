package io.cnnc.kernels.cpu;

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

    /**
     * Calls {@code body} for at least {@code minNanos}, then in rounds of 250 ms until two rounds
     * in a row agree within 1%, or {@code maxNanos} have passed in all.
     */
    public static void reach(Runnable body, long minNanos, long maxNanos) {
        long start = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - start < minNanos; i++) body.run();
        double previous = Double.POSITIVE_INFINITY;
        while (System.nanoTime() - start < maxNanos) {
            int calls = 0;
            long t0 = System.nanoTime();
            while (calls < 2 || System.nanoTime() - t0 < ROUND_NANOS) {
                body.run();
                calls++;
            }
            double perCall = (System.nanoTime() - t0) / (double) calls;
            if (Math.abs(perCall - previous) <= 0.01 * previous) return;
            previous = perCall;
        }
    }
}
