package io.cnnc.compiler.codegen;

import java.nio.file.Path;

/**
 * How to compile a network for the CPU: the batch its buffers are sized for, cores to use,
 * whether to measure strategies ({@code tune}, results kept in {@code tuningCache}) and whether
 * Winograd may be chosen (it trades a little accuracy for speed, see docs/kernels.md).
 */
public record CompileOptions(int batch, int threads, boolean tune, Path tuningCache, boolean winograd) {

    public CompileOptions {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }

    public static CompileOptions defaults() {
        return new CompileOptions(1, Runtime.getRuntime().availableProcessors(), false, null, true);
    }

    public CompileOptions withBatch(int b) {
        return new CompileOptions(b, threads, tune, tuningCache, winograd);
    }

    public CompileOptions withThreads(int t) {
        return new CompileOptions(batch, t, tune, tuningCache, winograd);
    }
}
