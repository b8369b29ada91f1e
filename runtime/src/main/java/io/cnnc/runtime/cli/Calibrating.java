package io.cnnc.runtime.cli;

import io.cnnc.compiler.schedule.Calibration;
import io.cnnc.compiler.schedule.CpuKind;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.MachineCalibration;
import io.cnnc.compiler.schedule.StrategyChooser;
import io.cnnc.kernels.ConvGeometry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Runs {@link MachineCalibration} with a progress bar and caches the result where
 * {@link Machine#detect} reads it; and, before a command chooses kernels, calibrates a machine
 * the repository has no table for, or whose cached calibration cannot be used, once.
 */
final class Calibrating {

    /** Seconds the strategies may take; the fixed figures take a few more, under a minute in all. */
    static final double BUDGET_SECONDS = 45;

    private Calibrating() {}

    /** Measures this machine on {@code threads} and caches it; prints the figures, and how far they moved from the last calibration. */
    static Calibration run(int threads, double budgetSeconds, PrintWriter out) {
        String key = Machine.calibrationKey();
        Path file = Calibration.cacheFile(key);
        Calibration previous = Calibration.read(file, key) instanceof Calibration.Read.Usable(Calibration c) ? c : null;
        Calibration c;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("calibrating").setInitialMax(1).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).continuousUpdate()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(ProgressOutput.stream())).build()) {
            c = MachineCalibration.run(key, threads, budgetSeconds, (what, done, total) -> {
                bar.maxHint(total);
                bar.stepTo(done);
                bar.setExtraMessage(what);
            });
        }
        try {
            c.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the calibration to " + file, e);
        }
        Machine shipped = Machine.shipped();
        out.printf(Locale.ROOT, "calibrated %s in %.0f s:%n", key, c.seconds());
        out.printf(Locale.ROOT, "  FP32 peak      %7.1f GFLOP/s a core (shipped table: %.0f)%n", c.peakGflopsPerCore(), shipped.peakGflopsPerCore());
        out.printf(Locale.ROOT, "  bandwidth      %7.1f GB/s on 1 thread, %.1f on %d (shipped: %.0f, %.0f)%n", c.bandwidthGBs1(), c.bandwidthGBs2(), threads,
                shipped.bandwidthGBs1(), shipped.bandwidthGBs2());
        out.printf(Locale.ROOT, "  hand-over      %7.4f ms (shipped: %.4f)%n", c.handoverMs(), shipped.handoverMs());
        out.printf(Locale.ROOT, "  reorder        %7.3f ns an element (shipped: %.3f)%n", c.reorderNanosPerElement(), shipped.reorderNanosPerElement());
        out.printf(Locale.ROOT, "  efficiencies   %d strategy keys from %d layer runs%n", c.efficiencies().size(), c.layers().size());
        if (previous != null) out.println("  against the last calibration (" + previous.date() + "): " + agreement(previous, c, threads));
        out.println("written to " + file + "; every compile on this machine reads it (--explain says so)");
        return c;
    }

    /**
     * How far two calibrations of one machine lie apart: on how many of the calibration layers
     * (on 1 and {@code threads} threads) the cost model picks the same strategy with either, the
     * median and largest relative difference of the efficiencies they share, and the peak's.
     */
    static String agreement(Calibration a, Calibration b, int threads) {
        Machine shipped = Machine.shipped();
        int same = 0, cases = 0;
        for (int t : threads > 1 ? new int[] {1, threads} : new int[] {1}) {
            StrategyChooser ca = new StrategyChooser(shipped.calibratedBy(a), t, name -> true);
            StrategyChooser cb = new StrategyChooser(shipped.calibratedBy(b), t, name -> true);
            for (ConvGeometry g : MachineCalibration.layers()) {
                cases++;
                if (ca.choose(g).strategy().equals(cb.choose(g).strategy())) same++;
            }
        }
        List<Double> diffs = new ArrayList<>();
        for (Map.Entry<String, Double> e : a.efficiencies().entrySet()) {
            Double other = b.efficiencies().get(e.getKey());
            if (other != null) diffs.add(Math.abs(other - e.getValue()) / e.getValue());
        }
        diffs.sort(null);
        if (diffs.isEmpty()) return "no strategy key in common";
        return String.format(Locale.ROOT, "the same strategy on %d of %d layers, efficiencies %.1f%% apart (median over %d keys, largest %.1f%%), peak %.1f%%", same, cases,
                100 * diffs.get(diffs.size() / 2), diffs.size(), 100 * diffs.getLast(), 100 * Math.abs(b.peakGflopsPerCore() - a.peakGflopsPerCore()) / a.peakGflopsPerCore());
    }

    /**
     * Before kernels are chosen: where the repository has no table for this CPU and nothing is
     * cached, or the cache cannot be used (corrupt, another machine's), measures this machine once.
     * {@code CNNC_CALIBRATE=never} (or the system property {@code cnnc.calibrate}) keeps the
     * shipped figures; {@code cnnc.calibrate.budget} shortens the measuring (tests).
     */
    static void ensure(PrintWriter err) {
        String policy = System.getProperty("cnnc.calibrate", System.getenv().getOrDefault("CNNC_CALIBRATE", ""));
        if (policy.equals("never")) return;
        String key = Machine.calibrationKey();
        Path file = Calibration.cacheFile(key);
        switch (Calibration.read(file, key)) {
            case Calibration.Read.Usable u -> {
                return;
            }
            case Calibration.Read.Unusable u -> err.println("cnnc: ignoring the calibration " + file + ": " + u.reason() + "; measuring this machine again");
            case Calibration.Read.Absent a -> {
                if (CpuKind.hasTable()) return;
                err.println("cnnc: the cost model has no table for this CPU (" + key + "): measuring it once, under a minute "
                        + "(cnnc calibrate; CNNC_CALIBRATE=never skips it)");
            }
        }
        err.flush();
        run(Runtime.getRuntime().availableProcessors(), Double.parseDouble(System.getProperty("cnnc.calibrate.budget", Double.toString(BUDGET_SECONDS))), err);
    }
}
