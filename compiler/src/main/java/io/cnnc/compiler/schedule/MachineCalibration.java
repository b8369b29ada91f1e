package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine it runs on for the cost model (cnnc calibrate): the FP32 peak that FMA
 * chains reach on one core, the triad bandwidth on one and on all threads, the cost of handing
 * a small layer to the other threads, the cost per element of a layout reorder, and every conv
 * strategy's efficiency on a compact layer set on one and on all threads, solved from
 * {@code ms = flops / (e * peak) + bytes / bandwidth} as bench's CalibrateCostModel does. Each
 * figure is a median over repetitions, after a warm-up, so that two calibrations agree; the
 * strategies stop where the time budget runs out, and those not reached keep the shipped table's
 * efficiencies.
 */
public final class MachineCalibration {

    /** Told of each step: what is being measured, and how many of the steps are done. */
    public interface Progress {
        void step(String what, int done, int total);
    }

    private record Timed(ConvStrategy strategy, ConvGeometry g, int threads, double ms) {}

    private static final List<CalibrationLayers.Layer> LAYERS = CalibrationLayers.compact();

    /** The layers the strategies are measured on. */
    public static List<ConvGeometry> layers() {
        return LAYERS.stream().map(CalibrationLayers.Layer::g).toList();
    }

    private MachineCalibration() {}

    /**
     * Measures this machine on 1 and {@code threads} threads within about {@code budgetSeconds}
     * for the strategies (the fixed figures take a few seconds more); {@code machine} is the key
     * the result is cached under.
     */
    public static Calibration run(String machine, int threads, double budgetSeconds, Progress progress) {
        long start = System.nanoTime();
        int[] threadCounts = threads > 1 ? new int[] {1, threads} : new int[] {1};
        int total = 4 + (LAYERS.size() + 1) * threadCounts.length;
        int done = 0;
        progress.step("FP32 peak", done, total);
        double peak = peakGflopsPerCore();
        progress.step("bandwidth", ++done, total);
        double bw1 = triadGBs(1);
        double bw2 = threads > 1 ? triadGBs(threads) : bw1;
        progress.step("hand-over", ++done, total);
        // The chain cannot reproduce all of what a layer shared out pays inside a network (ResNet-20's
        // layers: 0.01-0.025 ms on the Zen 5, docs/compiler.md), so the shipped figure is a floor.
        double handover = threads > 1 ? Math.max(StrategyChooser.HANDOVER_MS, handoverMs(threads)) : StrategyChooser.HANDOVER_MS;
        progress.step("reorder", ++done, total);
        double reorder = reorderNanosPerElement();
        done++;
        List<Timed> times = new ArrayList<>();
        long deadline = System.nanoTime() + (long) (budgetSeconds * 1e9);
        for (int t : threadCounts) {
            Parallel parallel = Parallel.of(t);
            for (CalibrationLayers.Layer l : LAYERS) {
                progress.step(l.name() + " on " + t + (t == 1 ? " thread" : " threads"), done++, total);
                if (System.nanoTime() > deadline) continue;
                for (ConvStrategy s : ConvStrategies.candidates(l.g())) {
                    times.add(new Timed(s, l.g(), t, Tuner.measureQuickMs(s, l.g(), parallel)));
                }
            }
        }
        List<InvertedResidualCalibration.Timed> blocks = new ArrayList<>();
        for (int t : threadCounts) {
            progress.step("inverted residual blocks on " + t + (t == 1 ? " thread" : " threads"), done++, total);
            // Outside the strategies' budget, as the fixed figures are: two blocks, a second or two.
            blocks.addAll(InvertedResidualCalibration.time(t));
        }
        // Measured again at the end and the higher kept: a shared machine's slow moment then lowers neither.
        progress.step("FP32 peak and bandwidth again", total - 1, total);
        peak = Math.max(peak, peakGflopsPerCore());
        bw1 = Math.max(bw1, triadGBs(1));
        bw2 = threads > 1 ? Math.max(bw2, triadGBs(threads)) : bw1;
        progress.step("done", total, total);
        // Efficiencies from the times once the peak is final.
        Machine m = new Machine(machine, peak, bw1, bw2);
        Map<String, List<Double>> byKey = new TreeMap<>();
        List<CalibratedLayers.Row> rows = new ArrayList<>();
        for (Timed x : times) {
            double e = CostModel.efficiencyOf(m, x.strategy().work(x.g(), x.threads()), x.ms(), x.threads());
            String key = x.strategy().efficiencyKey(x.g());
            byKey.computeIfAbsent(key + (x.threads() > 1 ? "@2" : ""), k -> new ArrayList<>()).add(e);
            rows.add(CalibratedLayers.Row.of(key, x.g(), x.threads(), e));
        }
        for (InvertedResidualCalibration.Timed b : blocks) {
            byKey.computeIfAbsent(InvertedResidualFusion.EFFICIENCY_KEY + (b.threads() > 1 ? "@2" : ""), k -> new ArrayList<>()).add(b.efficiency(m));
        }
        Map<String, Double> medians = new TreeMap<>();
        byKey.forEach((k, v) -> medians.put(k, CostModel.median(v)));
        return new Calibration(machine, peak, bw1, bw2, handover, reorder, medians, rows, LocalDate.now().toString(),
                (System.nanoTime() - start) / 1e9);
    }

    /** GFLOP/s of 12 independent FMA chains on one core: best of 7 rounds of 40 ms after a warm-up. */
    static double peakGflopsPerCore() {
        long iterations = 200_000;
        long warmEnd = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < warmEnd) fmaChains(iterations);
        // Rounds of about 40 ms, from the warm speed.
        long t0 = System.nanoTime();
        fmaChains(iterations);
        long perCall = Math.max(1, System.nanoTime() - t0);
        long rounds = Math.max(1, 40_000_000L / perCall);
        double best = 0;
        for (int r = 0; r < 7; r++) {
            long a = System.nanoTime();
            float sink = 0;
            for (long i = 0; i < rounds; i++) sink += fmaChains(iterations);
            double seconds = (System.nanoTime() - a) / 1e9;
            if (sink == 42) System.out.print("");
            best = Math.max(best, rounds * iterations * 12.0 * 2 * S.length() / seconds / 1e9);
        }
        return best;
    }

    /** A constant, as the Vector API compiles to vector instructions only for a species it knows when compiling. */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static float fmaChains(long iterations) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /**
     * GB/s of the triad a = b + s * c over arrays of 64 MiB each (past any cache), 12 bytes an
     * element, on {@code threads}: the best of 5 passes, as a neighbour on a shared host only ever
     * takes bandwidth away.
     */
    static double triadGBs(int threads) {
        int n = 16 << 20;
        float[] a = new float[n], b = new float[n], c = new float[n];
        Arrays.fill(b, 1);
        Arrays.fill(c, 2);
        Parallel p = Parallel.of(threads);
        int parts = threads * 4;
        Runnable pass = () -> p.forRange(parts, part -> {
            int from = (int) ((long) n * part / parts), to = (int) ((long) n * (part + 1) / parts);
            for (int i = from; i < to; i++) a[i] = b[i] + 0.5f * c[i];
        });
        for (int i = 0; i < 3; i++) pass.run();
        double[] gbs = new double[5];
        for (int r = 0; r < gbs.length; r++) {
            long t0 = System.nanoTime();
            pass.run();
            gbs[r] = 12.0 * n / (System.nanoTime() - t0);
        }
        return Arrays.stream(gbs).max().orElseThrow();
    }

    /**
     * Milliseconds a layer shared out over {@code threads} pays in a network beyond its time in
     * the calibration, which runs it again and again on the same input: in a network each layer
     * reads what the last one left, split over the cores' caches. A chain of 8 of ResNet-20's
     * middle layers (3x3, 32 channels at 16x16, direct, weights of their own), each reading the
     * last one's output, against 8 times the first layer run on its own input: the median of 101
     * chains less that of 101 lone runs, per layer.
     */
    static double handoverMs(int threads) {
        ConvGeometry g = new ConvGeometry(32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        java.util.Random r = new java.util.Random(1);
        Parallel p = Parallel.of(threads);
        int layers = 8;
        io.cnnc.kernels.cpu.conv.ConvKernel[] k = new io.cnnc.kernels.cpu.conv.ConvKernel[layers];
        for (int l = 0; l < layers; l++) {
            float[] w = new float[g.weightCount()];
            for (int i = 0; i < w.length; i++) w[i] = (r.nextFloat() - 0.5f) * 0.1f;
            k[l] = ConvStrategies.DIRECT.prepare(g, w, io.cnnc.kernels.cpu.conv.Epilogue.none(), p);
        }
        float[][] buffers = {new float[g.inC() * g.inH() * g.inW()], new float[g.inC() * g.inH() * g.inW()]};
        Arrays.fill(buffers[0], 0.5f);
        int runs = 101;
        double[] chain = new double[runs], alone = new double[runs];
        for (int i = -200; i < runs; i++) {
            long t0 = System.nanoTime();
            for (int l = 0; l < layers; l++) k[l].forward(buffers[l % 2], null, buffers[(l + 1) % 2], 1);
            long t1 = System.nanoTime();
            for (int l = 0; l < layers; l++) k[0].forward(buffers[0], null, buffers[1], 1);
            long t2 = System.nanoTime();
            Arrays.fill(buffers[0], 0.5f);
            if (i < 0) continue;
            chain[i] = (t1 - t0) / 1e6;
            alone[i] = (t2 - t1) / 1e6;
        }
        return Math.max(1e-4, (median(chain) - median(alone)) / layers);
    }

    /** Nanoseconds per element of NCHW to NCHW16c, 64 channels at 56x56: median of 21 runs after a warm-up. */
    static double reorderNanosPerElement() {
        int channels = 64, spatial = 56 * 56;
        float[] x = new float[channels * spatial], y = new float[x.length];
        for (int i = 0; i < 50; i++) Nchwc.toBlocked(x, 0, y, 1, channels, spatial, Parallel.serial());
        double[] ns = new double[21];
        for (int r = 0; r < ns.length; r++) {
            long t0 = System.nanoTime();
            Nchwc.toBlocked(x, 0, y, 1, channels, spatial, Parallel.serial());
            ns[r] = (double) (System.nanoTime() - t0) / x.length;
        }
        return median(ns);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
