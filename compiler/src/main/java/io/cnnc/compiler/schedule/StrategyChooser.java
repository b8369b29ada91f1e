package io.cnnc.compiler.schedule;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Picks a strategy for every convolution of an optimized graph by the cost model, and lists the
 * candidates with their estimates ({@code --tune} then measures those candidates inside the
 * network: codegen's NetworkTuner). {@code allowed} filters candidates, e.g. to keep Winograd
 * out where its error is not wanted. A strategy named in {@code --strategies} is a candidate
 * wherever it computes the layer, even on a CPU where it is not offered by default (direct-nchwc's
 * 512-bit vectors are emulated on AVX2): asked for by name, it is compared, not hidden.
 */
public final class StrategyChooser {

    private final CostModel model;
    private final int threads;
    private final Predicate<String> allowed;
    /** Strategies asked for by name: candidates even where their vectors are emulated on this CPU. */
    private final Set<String> named;
    /** What running a strategy costs beyond the layer itself, per sample (training's reorders around a blocked kernel), or null. */
    private final ExtraCost extra;

    /** A cost outside the kernel that depends on the strategy: its milliseconds per sample and why. */
    public interface ExtraCost {
        CostModel.Estimate of(ConvStrategy strategy, ConvGeometry g);
    }

    public StrategyChooser(Machine machine, int threads, Predicate<String> allowed) {
        this(machine, threads, allowed, Set.of());
    }

    public StrategyChooser(Machine machine, int threads, Predicate<String> allowed, Set<String> named) {
        this(new CostModel(machine), threads, allowed, named);
    }

    StrategyChooser(CostModel model, int threads, Predicate<String> allowed, Set<String> named) {
        this(model, threads, allowed, named, null);
    }

    private StrategyChooser(CostModel model, int threads, Predicate<String> allowed, Set<String> named, ExtraCost extra) {
        this.model = model;
        this.threads = threads;
        this.allowed = allowed;
        this.named = Set.copyOf(named);
        this.extra = extra;
    }

    /** This chooser with {@code extra} added to every candidate's estimate. */
    public StrategyChooser charging(ExtraCost extra) {
        return new StrategyChooser(model, threads, allowed, named, extra);
    }

    public Map<Node, Choice> choose(Graph graph) {
        Map<Node, Choice> out = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof FusedConvOp f) out.put(n, choose(f.conv().geometry(n.inputShapes().getFirst())));
        }
        return out;
    }

    /**
     * What sharing a layer out costs in a network beyond its calibrated time: the other core
     * reads activations the last layer left in this core's caches, which a layer timed alone
     * (as the calibration times it) finds in its own; measured on ResNet-20's layers
     * (docs/compiler.md, "Threads per layer").
     */
    static final double HANDOVER_MS = 0.015;

    /**
     * The candidate with the lowest estimate on the network's threads, or on one thread where
     * that is lower still once the shared-out layer pays {@link #HANDOVER_MS}: the efficiencies
     * are calibrated on both, and small layers (ResNet-20's) ran slower on two cores than on one,
     * alone and in the network.
     */
    public Choice choose(ConvGeometry g) {
        List<ConvStrategy> candidates = ConvStrategies.all().stream()
                .filter(s -> allowed.test(s.name()) && (s.supports(g) || named.contains(s.name()) && s.computes(g))).toList();
        // A restriction that leaves a layer with nothing (only winograd asked for, a 1x1 layer met) falls back to every strategy.
        if (candidates.isEmpty()) candidates = ConvStrategies.candidates(g);
        Choice shared = choose(g, candidates, threads);
        if (threads == 1) return shared;
        Choice alone = choose(g, candidates, 1);
        if (alone.expected() >= shared.expected() + model.handoverMs()) return shared;
        return new Choice(alone.strategy(), 1, String.format(Locale.ROOT, "1 thread: %.3f ms expected against %.3f on %d plus a %.3f ms hand-over; %s",
                alone.expected(), shared.expected(), threads, model.handoverMs(), alone.reason()), alone.expectedMs(), Map.of());
    }

    private Choice choose(ConvGeometry g, List<ConvStrategy> candidates, int threads) {
        Map<String, Double> expected = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        for (ConvStrategy s : candidates) {
            CostModel.Estimate e = model.estimate(s, g, threads);
            CostModel.Estimate more = extra == null ? null : extra.of(s, g);
            if (more != null && more.ms() > 0) e = new CostModel.Estimate(e.ms() + more.ms(), e.reason() + "; " + more.reason());
            expected.put(s.name(), e.ms());
            reasons.put(s.name(), e.reason());
        }
        String best = expected.entrySet().stream().min(Comparator.comparingDouble(Map.Entry::getValue)).orElseThrow().getKey();
        return new Choice(best, threads, reasons.get(best), expected, Map.of());
    }
}
