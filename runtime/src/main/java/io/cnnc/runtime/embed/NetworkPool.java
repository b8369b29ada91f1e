package io.cnnc.runtime.embed;

import io.cnnc.kernels.cpu.CompiledNetwork;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Instances of one compiled network, each with its own buffers, lent to one call at a time:
 * concurrent calls never share an instance. With a factory the pool grows to the largest number
 * of calls in flight at once; without one, calls take turns on the instances it was given.
 */
final class NetworkPool {

    private final Supplier<CompiledNetwork> factory;
    /** Last returned first: the instance whose buffers are warm in the cache goes out again. */
    private final LinkedBlockingDeque<CompiledNetwork> idle = new LinkedBlockingDeque<>();

    /** {@code factory} may be null: then only {@code first} exists. */
    NetworkPool(CompiledNetwork first, Supplier<CompiledNetwork> factory) {
        this.factory = factory;
        idle.push(first);
    }

    /** Runs {@code call} on an instance that is the caller's alone until it returns. */
    <T> T apply(Function<CompiledNetwork, T> call) {
        CompiledNetwork n = take();
        try {
            return call.apply(n);
        } finally {
            idle.push(n);
        }
    }

    private CompiledNetwork take() {
        CompiledNetwork n = idle.pollFirst();
        if (n != null) return n;
        if (factory != null) return factory.get();
        try {
            return idle.takeFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model", e);
        }
    }
}
