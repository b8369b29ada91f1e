package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.ConvWork;
import java.util.List;

/**
 * Predicts a conv strategy's time from the work it exports ({@link ConvStrategy#work}: its
 * arithmetic and memory traffic, padding and gathers included) on this machine:
 * {@code flops / (efficiency * peak) + bytes / bandwidth}, plus the gathers where they cost.
 * Winograd does 2.25x (F(2,3)) or 4x (F(4,3)) fewer multiplies but pays for its input and output
 * transforms; im2col pays for packing its panels; depthwise does so little arithmetic per byte
 * that bandwidth dominates. Efficiencies are not guessed: {@link Efficiencies} holds the fraction
 * of peak each strategy reached ({@link ConvStrategy#efficiencyKey}) when bench's
 * CalibrateCostModel timed it on this machine's layer set.
 */
public final class CostModel {

    private final Machine machine;
    private final Efficiencies efficiencies;

    public CostModel(Machine machine) {
        this(machine, machine.efficiencies());
    }

    public CostModel(Machine machine, Efficiencies efficiencies) {
        this.machine = machine;
        this.efficiencies = efficiencies;
    }

    public record Estimate(double ms, String reason) {}

    /**
     * The model charges every byte a layer touches at memory bandwidth, but a timed run finds
     * only its weights in memory (Tuner.measureColdMs): a run faster than its modelled traffic
     * allows comes out above 1. Clamped at 1, two thirds of the Zen 4 keys' medians were 1.0 and
     * the ranking among them was lost; above 1 the fit still gives back each calibrated run's
     * time. The cap keeps a run whose bytes alone outlast it from an infinite efficiency.
     */
    static final double MAX_EFFICIENCY = 4.0;

    /**
     * The efficiency a run of {@code ms} on {@code threads} implies for work {@code w} on
     * {@code machine}: {@link #estimate}'s formula solved for it, as the calibrations fit it.
     */
    public static double efficiencyOf(Machine machine, ConvWork w, double ms, int threads) {
        double compute = ms / 1e3 - w.bytes() / machine.bandwidth(threads);
        return compute > 0 ? Math.min(MAX_EFFICIENCY, w.flops() / (machine.peakFlops(threads) * compute)) : MAX_EFFICIENCY;
    }

    /** The median of {@code v} (the mean of the middle two for an even count): the calibrations' statistic. */
    public static double median(List<Double> v) {
        List<Double> s = new java.util.ArrayList<>(v);
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    /** What sharing a layer out over the threads costs beyond its work on this machine. */
    public double handoverMs() {
        return machine.handoverMs();
    }

    /**
     * {@link #estimate}'s formula for work that is not one conv strategy's (a fused block's), at
     * the efficiency calibrated under {@code efficiencyKey}.
     */
    public double estimateMs(ConvWork w, String efficiencyKey, int threads) {
        double efficiency = efficiencies.get(efficiencyKey, threads);
        return 1e3 * (w.flops() / (efficiency * machine.peakFlops(threads)) + w.bytes() / machine.bandwidth(threads));
    }

    public Estimate estimate(ConvStrategy strategy, ConvGeometry g, int threads) {
        ConvWork w = strategy.work(g, threads);
        double efficiency = efficiencies.get(strategy.efficiencyKey(g), g, threads);
        double ms = 1e3 * (w.flops() / (efficiency * machine.peakFlops(threads)) + w.bytes() / machine.bandwidth(threads));
        if (w.gathers() > 0 && machine.gatherNanos() > 0) {
            double gatherMs = w.gathers() * machine.gatherNanos() * 1e-6 / threads;
            return new Estimate(ms + gatherMs, w.explained() + String.format("; %.0fk gathered panel columns (%.2f ms)", w.gathers() / 1e3, gatherMs));
        }
        return new Estimate(ms, w.explained());
    }
}
