package io.cnnc.compiler.lower;

import java.util.HashMap;
import java.util.Map;

/**
 * Hands out the stable layer names of one scope (docs/conventions.md, "Parameter names"):
 * {@code conv1, conv2, bn1} per type, {@code basic1} per block, {@code 0, 1} per repeat iteration.
 */
final class NameScope {

    private final String prefix;
    private final Map<String, Integer> counters = new HashMap<>();
    private int iterations;

    NameScope(String prefix) {
        this.prefix = prefix;
    }

    /** Next name for a layer of {@code type}; {@code override} (from name="...") replaces it. */
    String layer(String type, String override) {
        int n = counters.merge(type, 1, Integer::sum);
        return prefix + (override != null ? override : type + n);
    }

    /** The scope a block call opens: {@code <prefix><block><k>.}. */
    NameScope block(String block, String override) {
        int n = counters.merge("block:" + block, 1, Integer::sum);
        return new NameScope(prefix + (override != null ? override : block + n) + ".");
    }

    /** The scope of the next repeat iteration: {@code <prefix><i>.}. */
    NameScope iteration() {
        return new NameScope(prefix + (iterations++) + ".");
    }

    String prefix() {
        return prefix;
    }
}
