package io.cnnc.compiler.schedule;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.passes.ChooseLayouts;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * Runs the layout pass on a graph whose convs have strategies: convs whose strategy is
 * channel-blocked get NCHW16c, unless their advantage over the best planar strategy is smaller
 * than the reorders they would cause; and the other way round, a planar conv between blocked
 * ones takes its best blocked strategy where that costs less than the reorders around it.
 * Returns the laid-out graph with the choices keyed by its nodes.
 */
public final class LayoutChoice {

    public record Result(Graph graph, Map<Node, Choice> choices) {}

    private LayoutChoice() {}

    public static Result apply(Graph planar, Map<Node, Choice> choices, int batch) {
        Map<String, Choice> byName = new HashMap<>();
        choices.forEach((n, c) -> byName.put(n.name(), c));
        Set<String> blocked = byName.entrySet().stream().filter(e -> isBlocked(e.getValue().strategy()))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        BiPredicate<Node, Long> worthItsReorders = (node, elements) -> gainMs(byName.get(node.name())) > reorderMs(elements * batch);
        Set<String> kept = new ChooseLayouts(blocked, worthItsReorders).blockedAfter(planar);
        for (String name : blocked) {
            if (!kept.contains(name)) byName.put(name, planarInstead(byName.get(name)));
        }
        Set<String> promoted = promoted(ChooseLayouts.layOut(planar, kept), byName, batch);
        if (!promoted.isEmpty()) {
            Map<String, Choice> planarChoices = new HashMap<>();
            for (String name : promoted) planarChoices.put(name, byName.put(name, blockedInstead(byName.get(name))));
            Set<String> withPromoted = new HashSet<>(kept);
            withPromoted.addAll(promoted);
            // A promoted conv is held to the same rule as any blocked one.
            kept = new ChooseLayouts(withPromoted, worthItsReorders).blockedAfter(planar);
            for (Map.Entry<String, Choice> e : planarChoices.entrySet()) {
                if (!kept.contains(e.getKey())) byName.put(e.getKey(), e.getValue());
            }
        }
        Graph laid = ChooseLayouts.layOut(planar, kept);
        Map<Node, Choice> rekeyed = new LinkedHashMap<>();
        for (Node n : laid.nodes()) {
            Choice c = byName.get(n.name());
            if (c != null) rekeyed.put(n, c);
        }
        return new Result(laid, rekeyed);
    }

    /**
     * A reorder's time per element, measured inside a compiled network (docs/compiler.md,
     * "Layout"); the same on any number of threads, as a tensor written by the other core has to
     * come across half of it anyway. A calibrated machine has its own ({@link Machine#reorderNanosPerElement}).
     */
    static final double REORDER_NANOS_PER_ELEMENT = 0.18;

    /** This machine's figure, read once: {@link Machine#detect} reads the calibration cache. */
    private static final class Reorder {
        static final double NANOS_PER_ELEMENT = Machine.detect().reorderNanosPerElement();
    }

    static double reorderMs(long elements) {
        return elements * Reorder.NANOS_PER_ELEMENT * 1e-6;
    }

    static boolean isBlocked(String strategy) {
        return ConvStrategies.byName(strategy).blocked();
    }

    /** Measured times when tuned, else the cost model's. */
    private static Map<String, Double> times(Choice c) {
        return c.measuredMs().isEmpty() ? c.expectedMs() : c.measuredMs();
    }

    /** The fastest of c's candidates in the blocked layout or the planar one, if it has any. */
    private static Optional<Map.Entry<String, Double>> best(Choice c, boolean blocked) {
        return times(c).entrySet().stream().filter(e -> isBlocked(e.getKey()) == blocked).min(Map.Entry.comparingByValue());
    }

    /** How much slower c's best candidate in the other layout family ({@code blocked} or planar) is than its choice. */
    private static double marginMs(Choice c, boolean blocked) {
        return best(c, blocked).map(Map.Entry::getValue).orElse(Double.POSITIVE_INFINITY) - times(c).get(c.strategy());
    }

    private static double gainMs(Choice c) {
        return marginMs(c, false);
    }

    /**
     * Planar convs whose best blocked strategy loses less to their choice than the reorders
     * around them cost in {@code laid}, so that a planar layer between blocked ones does not
     * pay for three reorders to win a little (docs/compiler.md, "Layout").
     */
    private static Set<String> promoted(Graph laid, Map<String, Choice> byName, int batch) {
        Set<String> out = new HashSet<>();
        for (Node n : laid.nodes()) {
            Choice c = byName.get(n.name());
            if (c == null || isBlocked(c.strategy())) continue;
            long reordered = ChooseLayouts.reorderedAround(laid, n);
            if (reordered > 0 && marginMs(c, true) < reorderMs(reordered * batch)) out.add(n.name());
        }
        return out;
    }

    private static Choice blockedInstead(Choice c) {
        return c.with(best(c, true).orElseThrow().getKey(), "blocked: " + c.strategy() + " gains less than the reorders around it cost", c.measuredMs());
    }

    private static Choice planarInstead(Choice c) {
        return c.with(best(c, false).orElseThrow().getKey(), "planar: " + c.strategy() + " saves less than its reorders cost", c.measuredMs());
    }
}
