package io.cnnc.kernels.cpu;

import java.util.Arrays;

/**
 * Steady-state latency of a call, as {@code cnnc bench} and the comparison reports measure it:
 * warmed up for a third of the time (at least 2 s) and until steady ({@link SteadyState}), then
 * timed call by call for the rest (at least 5 calls). {@code cores}: process CPU time over wall
 * time while timed, how many cores the call really kept busy, whatever its thread setting says.
 */
public record Latency(double[] sortedMs, double cores) {

    public static Latency measure(Runnable body, double seconds) {
        SteadyState.reach(body, Math.max(2_000_000_000L, (long) (seconds / 3 * 1e9)), 12_000_000_000L);
        long cpu0 = processCpuNanos();
        long wall0 = System.nanoTime();
        long end = wall0 + (long) (seconds * 2 / 3 * 1e9);
        double[] times = new double[2000];
        int n = 0;
        while (n < 5 || (System.nanoTime() < end && n < times.length)) {
            long t0 = System.nanoTime();
            body.run();
            times[n++] = (System.nanoTime() - t0) / 1e6;
        }
        double cores = (processCpuNanos() - cpu0) / (double) (System.nanoTime() - wall0);
        double[] sorted = Arrays.copyOf(times, n);
        Arrays.sort(sorted);
        return new Latency(sorted, cores);
    }

    /** CPU time of the whole process so far, every thread's: over wall time, the cores kept busy. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public double medianMs() {
        return percentileMs(50);
    }

    /** The {@code p}th percentile of the timed calls (nearest rank). */
    public double percentileMs(double p) {
        int i = (int) Math.ceil(p / 100 * sortedMs.length) - 1;
        return sortedMs[Math.max(0, Math.min(sortedMs.length - 1, i))];
    }

    public int calls() {
        return sortedMs.length;
    }
}
