package io.cnnc.kernels.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Several calls' steady-state latencies (the same network on 1 and on 2 threads, say) timed in
 * alternating rounds, so that a shared machine's drift in speed, which moved the same build 30-50%
 * between runs a minute apart (docs/kernels.md), falls on all of them alike. Besides each call's
 * {@link Latency} it keeps, per round, each call's median over the first's: the median of those
 * paired ratios is what a comparison of the calls can trust.
 */
public record InterleavedLatency(List<Latency> each, List<double[]> ratiosToFirst) {

    /** Rounds at least: enough for a median of paired ratios to ignore one disturbed round. */
    private static final int MIN_ROUNDS = 7;
    /** A call's time in one round at most. */
    private static final long ROUND_NANOS = 150_000_000L;
    /** The pause before each round. */
    private static final long SETTLE_MS = 20;
    /** Timed calls per call and round at least. */
    private static final int MIN_CALLS = 3;

    /**
     * Warms each body up until steady, then times them in turn for {@code seconds} in all (two
     * thirds of it; a third goes to warming up, as {@link Latency#measure} spends it).
     */
    public static InterleavedLatency measure(List<Runnable> bodies, double seconds) {
        int n = bodies.size();
        if (n == 0) throw new IllegalArgumentException("nothing to time");
        for (Runnable b : bodies) SteadyState.reach(b, Math.max(1_000_000_000L, (long) (seconds / 3 / n * 1e9)), 12_000_000_000L);
        // Short rounds, so a drift lasting a second spans many of them; at least MIN_ROUNDS in all.
        long roundNanos = Math.max(20_000_000L, Math.min(ROUND_NANOS, (long) (seconds * 2 / 3 * 1e9 / (MIN_ROUNDS * n))));
        long end = System.nanoTime() + (long) (seconds * 2 / 3 * 1e9);
        List<List<Double>> times = new ArrayList<>();
        List<List<Double>> roundMedians = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            times.add(new ArrayList<>());
            roundMedians.add(new ArrayList<>());
        }
        long[] cpu = new long[n], wall = new long[n];
        for (int round = 0; round < MIN_ROUNDS || System.nanoTime() < end; round++) {
            for (int i = 0; i < n; i++) {
                settle();
                Runnable body = bodies.get(i);
                List<Double> mine = new ArrayList<>();
                long cpu0 = Latency.processCpuNanos(), wall0 = System.nanoTime(), stop = wall0 + roundNanos;
                while (mine.size() < MIN_CALLS || System.nanoTime() < stop) {
                    long t0 = System.nanoTime();
                    body.run();
                    mine.add((System.nanoTime() - t0) / 1e6);
                }
                cpu[i] += Latency.processCpuNanos() - cpu0;
                wall[i] += System.nanoTime() - wall0;
                times.get(i).addAll(mine);
                roundMedians.get(i).add(median(mine));
            }
        }
        List<Latency> each = new ArrayList<>();
        List<double[]> ratios = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] sorted = times.get(i).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            each.add(new Latency(sorted, cpu[i] / (double) wall[i]));
            double[] r = new double[roundMedians.get(i).size()];
            for (int k = 0; k < r.length; k++) r[k] = roundMedians.get(i).get(k) / roundMedians.getFirst().get(k);
            Arrays.sort(r);
            ratios.add(r);
        }
        return new InterleavedLatency(each, ratios);
    }

    /** The median over the rounds of call i's median over the first call's. */
    public double ratioToFirst(int i) {
        double[] r = ratiosToFirst.get(i);
        return r[r.length / 2];
    }

    /** The lowest and highest of call i's per-round ratios. */
    public double[] ratioRange(int i) {
        double[] r = ratiosToFirst.get(i);
        return new double[] {r[0], r[r.length - 1]};
    }

    /** Rounds timed. */
    public int rounds() {
        return ratiosToFirst.getFirst().length;
    }

    /**
     * A pause before each round, so that worker threads the last round left spinning (ONNX
     * Runtime's spin for a while after each run) have gone to sleep: in the same process they
     * took a core from the next round's call.
     */
    private static void settle() {
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
