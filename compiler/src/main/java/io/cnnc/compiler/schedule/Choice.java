package io.cnnc.compiler.schedule;

import java.util.Map;

/**
 * The strategy picked for one conv layer and why: the cost model's estimate for every
 * candidate, and measured times when tuned (from this run or the cache).
 */
public record Choice(String strategy, String reason, Map<String, Double> expectedMs, Map<String, Double> measuredMs) {

    public double expected() {
        return expectedMs.get(strategy);
    }

    /** The chosen strategy's measured time, or null when not tuned. */
    public Double measured() {
        return measuredMs.get(strategy);
    }
}
