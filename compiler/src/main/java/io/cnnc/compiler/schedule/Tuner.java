package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvKernel;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.Epilogue;
import java.util.Arrays;
import java.util.Random;

/**
 * Times one strategy on one layer with random data. Warm-up runs 1.5 s the first time a strategy
 * is timed in this JVM (500 ms after that), then in rounds (at least 5 calls and 50 ms each) until a round's median is within 5% of the previous one's, at most 2 s: C2 compiles
 * a big microkernel late, later still while the other core is busy, and a kernel timed before
 * that looks several times slower than it is. Then calls until at least 5 runs and 40 ms, at most
 * 30 runs; the median is the answer, as it ignores the odd run the other core's work slowed down.
 */
public final class Tuner {

    private static final java.util.Set<String> WARMED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Tuner() {}

    public static double measureMs(ConvStrategy strategy, ConvGeometry g, Parallel parallel) {
        return measureMs(strategy, g, parallel, false);
    }

    /**
     * As {@link #measureMs(ConvStrategy, ConvGeometry, Parallel)}, but each timed run finds the
     * layer's weights out of the caches ({@link #medianOfColdWeightRuns}), as in a network whose
     * weights outgrow them, where a layer timed hot looks twice as fast (docs/compiler.md).
     */
    public static double measureColdMs(ConvStrategy strategy, ConvGeometry g, Parallel parallel) {
        return measureMs(strategy, g, parallel, true);
    }

    /**
     * A shorter measurement for self-calibration (MachineCalibration), with the weights warm: the
     * kernel settled, run for 400 ms the first time this JVM meets the strategy (its code
     * compiled) and 100 ms after, then the median of a round of at least 5 calls and 30 ms.
     */
    public static double measureQuickMs(ConvStrategy strategy, ConvGeometry g, Parallel parallel) {
        Setup s = Setup.of(strategy, g, parallel);
        s.warm(strategy, 400_000_000L, 100_000_000L, 5, 5);
        return medianOfRound(s.k, s.x, s.y, 5, 30_000_000L, 30);
    }

    /** A layer's kernel on random weights and input, settled, with the stream its weights came from. */
    private record Setup(ConvKernel k, float[] x, float[] y, Random r) {

        static Setup of(ConvStrategy strategy, ConvGeometry g, Parallel parallel) {
            Random r = new Random(1);
            float[] w = random(r, g.weightCount());
            float[] x = random(r, g.inC() * g.inH() * g.inW());
            float[] y = new float[g.outC() * g.outH() * g.outW()];
            ConvKernel k = strategy.prepare(g, w, Epilogue.none(), parallel);
            settle(k, x, y);
            return new Setup(k, x, y, r);
        }

        /**
         * Runs the kernel {@code firstNanos} and {@code firstCalls} at least where this JVM meets
         * the strategy for the first time, {@code laterNanos} and {@code laterCalls} after:
         * interpreted code is slow but just as steady, so stability alone would stop a warm-up
         * before C2 has compiled anything.
         */
        void warm(ConvStrategy strategy, long firstNanos, long laterNanos, int firstCalls, int laterCalls) {
            boolean first = WARMED.add(strategy.name());
            long minNanos = first ? firstNanos : laterNanos;
            long start = System.nanoTime();
            for (int i = 0; i < (first ? firstCalls : laterCalls) || System.nanoTime() - start < minNanos; i++) k.forward(x, null, y, 1);
        }
    }

    private static double measureMs(ConvStrategy strategy, ConvGeometry g, Parallel parallel, boolean cold) {
        Setup s = Setup.of(strategy, g, parallel);
        ConvKernel k = s.k();
        float[] x = s.x();
        float[] y = s.y();
        // The first layer a strategy meets in this JVM runs 1.5 s and 20 calls first (most of its
        // code is compiled then), later layers 500 ms, for the paths a layer takes first
        // (Winograd's tiles-on-rows GEMM, say).
        s.warm(strategy, 1_500_000_000L, 500_000_000L, 20, 10);
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        double previous = Double.POSITIVE_INFINITY;
        while (System.nanoTime() < warmUntil) {
            double round = medianOfRound(k, x, y, 5, 50_000_000L, 1000);
            if (Math.abs(round - previous) <= 0.05 * previous) break;
            previous = round;
        }
        if (cold) return medianOfColdWeightRuns(strategy, g, parallel, k, x, y, s.r());
        return medianOfRound(k, x, y, 5, 40_000_000L, 30);
    }

    /**
     * Raw weight bytes the copies of a layer add up to: three times Zen 4's 32 MiB L3. On the
     * Xeon, where 64 MiB of eviction writes were not enough (a shared L3 of up to 480 MiB),
     * raise it before re-calibrating there.
     */
    private static final long COLD_WEIGHT_BYTES = 96L << 20;
    private static final int MAX_COPIES = 64;

    /**
     * Runs a kernel until it has settled how it runs (at least once): one timed while still trying
     * its ways (a big layer can try them past the warm-up, and a cold run's fresh copy always is)
     * made Winograd-nchwc look twice as slow on two threads.
     */
    private static void settle(ConvKernel k, float[] x, float[] y) {
        do k.forward(x, null, y, 1);
        while (!k.settled());
    }

    /**
     * Runs whose weights come from memory while input, output and scratch are where the last
     * call left them, as in a network whose weights outgrow the caches: calls cycle through
     * copies of the layer with weights of their own, {@link #COLD_WEIGHT_BYTES} in all. Evicting
     * everything before each call instead also sent the input and the Winograd-nchwc scratch
     * (hot in a network) to memory and misranked strategies (docs/compiler.md).
     */
    private static double medianOfColdWeightRuns(ConvStrategy strategy, ConvGeometry g, Parallel parallel, ConvKernel warm,
                                                 float[] x, float[] y, Random r) {
        int weightFloats = g.weightCount();
        int copies = (int) Math.min(MAX_COPIES, Math.max(2, Math.ceil(COLD_WEIGHT_BYTES / (4.0 * weightFloats))));
        ConvKernel[] kernels = new ConvKernel[copies];
        kernels[0] = warm;
        for (int i = 1; i < copies; i++) kernels[i] = strategy.prepare(g, random(r, weightFloats), Epilogue.none(), parallel);
        // Each copy settles with its weights warm.
        for (ConvKernel k : kernels) settle(k, x, y);
        int runs = Math.max(15, copies);
        double[] times = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            kernels[i % copies].forward(x, null, y, 1);
            times[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(times);
        return times[runs / 2];
    }

    /** Median of at least {@code minRuns} calls over at least {@code minNanos}, at most {@code maxRuns}. */
    static double medianOfRound(ConvKernel k, float[] x, float[] y, int minRuns, long minNanos, int maxRuns) {
        double[] times = new double[maxRuns];
        int n = 0;
        long start = System.nanoTime();
        while (n < maxRuns && (n < minRuns || System.nanoTime() - start < minNanos)) {
            long t0 = System.nanoTime();
            k.forward(x, null, y, 1);
            times[n++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] used = Arrays.copyOf(times, n);
        Arrays.sort(used);
        return used[n / 2];
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
