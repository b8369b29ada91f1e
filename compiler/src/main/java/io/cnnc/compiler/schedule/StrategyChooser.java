package io.cnnc.compiler.schedule;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Picks a strategy for every convolution of an optimized graph: by the cost model, or with
 * tuning by the fastest measured candidate (measurements come from the cache when this CPU and
 * thread count already timed that geometry). {@code allowed} filters candidates, e.g. to keep
 * Winograd out where its error is not wanted.
 */
public final class StrategyChooser {

    private final Machine machine;
    private final CostModel model;
    private final int threads;
    private final TuningCache cache;
    private final Predicate<String> allowed;

    /** {@code cache} null means no tuning: the cost model alone decides. */
    public StrategyChooser(Machine machine, int threads, TuningCache cache, Predicate<String> allowed) {
        this.machine = machine;
        this.model = new CostModel(machine);
        this.threads = threads;
        this.cache = cache;
        this.allowed = allowed;
    }

    public Map<Node, Choice> choose(Graph graph) {
        Map<Node, Choice> out = new LinkedHashMap<>();
        Parallel parallel = cache == null ? null : Parallel.of(threads);
        for (Node n : graph.nodes()) {
            if (n.op() instanceof FusedConvOp f) out.put(n, choose(f.conv().geometry(n.inputShapes().getFirst()), parallel));
        }
        return out;
    }

    public Choice choose(ConvGeometry g, Parallel parallel) {
        List<ConvStrategy> candidates = ConvStrategies.candidates(g).stream().filter(s -> allowed.test(s.name())).toList();
        // A restriction that leaves a layer with nothing (only winograd asked for, a 1x1 layer met) falls back to every strategy.
        if (candidates.isEmpty()) candidates = ConvStrategies.candidates(g);
        Map<String, Double> expected = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        for (ConvStrategy s : candidates) {
            CostModel.Estimate e = model.estimate(s.name(), g, threads);
            expected.put(s.name(), e.ms());
            reasons.put(s.name(), e.reason());
        }
        Map<String, Double> measured = new LinkedHashMap<>();
        if (cache != null) {
            for (ConvStrategy s : candidates) {
                String key = TuningCache.key(machine, threads, g, s.name());
                Double ms = cache.get(key);
                if (ms == null) {
                    ms = Tuner.measureMs(s, g, parallel);
                    cache.put(key, ms);
                }
                measured.put(s.name(), ms);
            }
            String best = measured.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
            return new Choice(best, "fastest of " + candidates.size() + " measured", expected, measured);
        }
        String best = expected.entrySet().stream().min(Comparator.comparingDouble(Map.Entry::getValue)).orElseThrow().getKey();
        return new Choice(best, reasons.get(best), expected, measured);
    }
}
