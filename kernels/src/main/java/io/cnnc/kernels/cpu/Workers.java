package io.cnnc.kernels.cpu;

import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Splits a batch's samples, or any independent tasks, over one {@link WorkerTeam} of a thread
 * per core: the same team the compiled kernels run on. Training alternates between these loops
 * and the kernels' own; when they ran on the fork-join pool instead, its threads and the team's
 * still-spinning workers took turns on the cores, and batch norm's time varied threefold from
 * run to run (docs/training.md).
 */
public final class Workers {

    private Workers() {}

    /** How many workers a batch of {@code n} samples gets: at most one per core. */
    public static int count(int n) {
        return Math.max(1, Math.min(n, Runtime.getRuntime().availableProcessors()));
    }

    public interface SampleTask<T> {
        void run(int sample, T scratch);
    }

    /** Runs {@code body} for 0..tasks-1 on the team, all done on return. */
    public static void range(int tasks, IntConsumer body) {
        team().forRange(tasks, body);
    }

    /** The team of a thread per core. */
    public static Parallel team() {
        return Parallel.of(Runtime.getRuntime().availableProcessors());
    }

    public static <T> void forEach(int batch, Supplier<T> scratch, SampleTask<T> task) {
        int workers = count(batch);
        range(workers, t -> {
            T buffer = scratch.get();
            for (int n = t; n < batch; n += workers) task.run(n, buffer);
        });
    }
}
