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
}
