package io.cnnc.compiler.schedule;

import java.util.Map;

/**
 * The strategy picked for one conv layer, the threads it runs on, and why: the cost model's
 * estimate for every candidate (on those threads), and measured times when tuned (from this run
 * or the cache). {@code threads} is the network's thread count, or 1 where the model expects the
 * layer to run faster alone than shared out (a small layer, whose second core costs more in
 * hand-over and cache traffic than it computes).
 */
public record Choice(String strategy, int threads, String reason, Map<String, Double> expectedMs, Map<String, Double> measuredMs) {

    /** The same layer on {@code strategy} instead, on the same threads. */
    public Choice with(String strategy, String reason, Map<String, Double> measuredMs) {
        return new Choice(strategy, threads, reason, expectedMs, measuredMs);
    }

    public double expected() {
        return expectedMs.get(strategy);
    }

    /** The chosen strategy's measured time, or null when not tuned. */
    public Double measured() {
        return measuredMs.get(strategy);
    }
}
