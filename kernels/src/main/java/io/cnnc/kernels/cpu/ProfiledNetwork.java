package io.cnnc.kernels.cpu;

/**
 * A compiled network generated with a clock around every layer: what {@code cnnc run --profile}
 * reads. A separate class from the plain one, so that the code users embed carries no timing.
 */
public interface ProfiledNetwork extends CompiledNetwork {

    /** The names of the timed layers (nodes of the optimized graph), in execution order. */
    String[] layerNames();

    /**
     * Nanoseconds spent in each layer, summed over every {@link #forward} since construction or
     * the last {@link #resetProfile}; a parallel layer counts until its last worker is done.
     */
    long[] layerNanos();

    void resetProfile();

    /** Per timed layer, what its kernel decided while running ({@code ConvKernel.decided}); empty for most. */
    String[] layerNotes();

    /** Per-pass milliseconds of a {@link #profile} run: the whole forward pass and each layer. */
    record Profile(int passes, double totalMs, double[] layerMs) {}

    /**
     * Runs {@code forward(inputs, outputs)} for at least {@code minPasses} passes and
     * {@code nanos} nanoseconds after resetting the clocks, and returns the mean per pass.
     */
    default Profile profile(float[][] inputs, float[][] outputs, long nanos, int minPasses) {
        resetProfile();
        int passes = 0;
        long t0 = System.nanoTime();
        while (passes < minPasses || System.nanoTime() - t0 < nanos) {
            forward(inputs, outputs);
            passes++;
        }
        double totalMs = (System.nanoTime() - t0) / 1e6 / passes;
        long[] layerNanos = layerNanos();
        double[] layerMs = new double[layerNanos.length];
        for (int i = 0; i < layerMs.length; i++) layerMs[i] = layerNanos[i] / 1e6 / passes;
        return new Profile(passes, totalMs, layerMs);
    }
}
