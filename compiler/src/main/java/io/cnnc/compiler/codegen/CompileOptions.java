package io.cnnc.compiler.codegen;

import io.cnnc.kernels.cpu.conv.ConvStrategies;
import java.nio.file.Path;
import java.util.Set;

/**
 * How to compile a network for the CPU: the batch its buffers are sized for, cores to use,
 * whether to measure strategies ({@code tune}, results kept in {@code tuningCache}), whether
 * Winograd may be chosen (it trades a little accuracy for speed, see docs/kernels.md), and
 * optionally the only conv strategies allowed ({@code strategies}; empty means all), for
 * comparing strategies on whole networks. A layer none of them computes falls back to all.
 */
public record CompileOptions(int batch, int threads, boolean tune, Path tuningCache, boolean winograd, Set<String> strategies) {

    public CompileOptions {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        strategies = Set.copyOf(strategies);
    }

    public CompileOptions(int batch, int threads, boolean tune, Path tuningCache, boolean winograd) {
        this(batch, threads, tune, tuningCache, winograd, Set.of());
    }

    public static CompileOptions defaults() {
        return new CompileOptions(1, Runtime.getRuntime().availableProcessors(), false, null, true);
    }

    public CompileOptions withBatch(int b) {
        return new CompileOptions(b, threads, tune, tuningCache, winograd, strategies);
    }

    public CompileOptions withThreads(int t) {
        return new CompileOptions(batch, t, tune, tuningCache, winograd, strategies);
    }

    public CompileOptions withStrategies(Set<String> only) {
        return new CompileOptions(batch, threads, tune, tuningCache, winograd, only);
    }

    /** Whether a strategy may be chosen (before the fallback for layers none of the listed ones computes). */
    public boolean allows(String strategy) {
        return (winograd || !ConvStrategies.byName(strategy).approximate()) && (strategies.isEmpty() || strategies.contains(strategy));
    }
}
