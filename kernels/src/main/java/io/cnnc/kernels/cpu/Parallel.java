package io.cnnc.kernels.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * How many cores an inference kernel may use, and the pool that runs its tasks. Work is split
 * into tasks that write disjoint output, so results never depend on the thread count.
 */
public final class Parallel {

    private static final Parallel SERIAL = new Parallel(1, null);

    private final int threads;
    private final ForkJoinPool pool;

    private Parallel(int threads, ForkJoinPool pool) {
        this.threads = threads;
        this.pool = pool;
    }

    /** One thread: tasks run in order on the caller's thread. */
    public static Parallel serial() {
        return SERIAL;
    }

    /** {@code threads} cores; 1 gives {@link #serial()}. */
    public static Parallel of(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        return threads == 1 ? SERIAL : new Parallel(threads, new ForkJoinPool(threads));
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} for 0..tasks-1; on more than one thread in any order, all done on return. */
    public void forRange(int tasks, IntConsumer body) {
        if (threads == 1 || tasks <= 1) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(body)).join();
    }
}
