package io.cnnc.kernels.cpu;

import java.util.function.IntConsumer;

/**
 * How many cores an inference kernel may use, and the pool that runs its tasks. Work is split
 * into tasks that write disjoint output, so results never depend on the thread count. The
 * threads are a {@link WorkerTeam} kept for the Parallel's lifetime (daemon threads).
 */
public final class Parallel {

    private static final Parallel SERIAL = new Parallel(1, null);
    /** One team per thread count for the whole JVM: loops from different callers take turns on it. */
    private static final java.util.concurrent.ConcurrentHashMap<Integer, Parallel> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

    private final int threads;
    private final WorkerTeam team;

    private Parallel(int threads, WorkerTeam team) {
        this.threads = threads;
        this.team = team;
    }

    /** One thread: tasks run in order on the caller's thread. */
    public static Parallel serial() {
        return SERIAL;
    }

    /** {@code threads} cores; 1 gives {@link #serial()}. */
    public static Parallel of(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        return threads == 1 ? SERIAL : SHARED.computeIfAbsent(threads, t -> new Parallel(t, new WorkerTeam(t)));
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
        team.run(tasks, body);
    }
}
