package io.cnnc.kernels.cpu;

import java.util.function.Supplier;
import java.util.stream.IntStream;

/** Splits samples of a batch over the common fork-join pool, one scratch buffer per worker. */
public final class Workers {

    private Workers() {}

    /** How many workers a batch of {@code n} samples gets: at most one per core. */
    public static int count(int n) {
        return Math.max(1, Math.min(n, Runtime.getRuntime().availableProcessors()));
    }

    public interface SampleTask<T> {
        void run(int sample, T scratch);
    }

    public static <T> void forEach(int batch, Supplier<T> scratch, SampleTask<T> task) {
        int workers = count(batch);
        IntStream.range(0, workers).parallel().forEach(t -> {
            T buffer = scratch.get();
            for (int n = t; n < batch; n += workers) task.run(n, buffer);
        });
    }
}
