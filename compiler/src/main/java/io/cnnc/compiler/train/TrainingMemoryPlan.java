package io.cnnc.compiler.train;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.SourceOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which activations a training step keeps from its forward pass for its backward, which it drops
 * as soon as the forward has read them, and which it drops and recomputes when the backward needs
 * them (batch norm's output, from the convolution output its own gradient keeps anyway). A node
 * that writes an array is a <em>storage</em>; a folded ReLU shares the array of the node it is
 * folded into. The plan also says when each array goes back to the trainer's pool, and from that
 * the peak number of activation and gradient floats per image a step holds.
 */
public final class TrainingMemoryPlan {

    /** What happens to a storage's array between the forward and the backward pass. */
    public enum Fate { KEPT, DROPPED, RECOMPUTED }

    private final Map<Node, Fate> fates;
    private final Map<Node, List<Node>> freedAfterForward;
    private final Map<Node, List<Node>> lastReadInForward;
    private final Map<Node, List<Node>> recomputedBefore;
    private final Map<Node, List<Node>> freedAfterBackward;
    private final long keptFloats;
    private final long peakFloats;
    private final long allKeptFloats;

    private TrainingMemoryPlan(Map<Node, Fate> fates, Map<Node, List<Node>> freedAfterForward, Map<Node, List<Node>> lastReadInForward,
                               Map<Node, List<Node>> recomputedBefore, Map<Node, List<Node>> freedAfterBackward, long keptFloats, long peakFloats,
                               long allKeptFloats) {
        this.fates = fates;
        this.freedAfterForward = freedAfterForward;
        this.lastReadInForward = lastReadInForward;
        this.recomputedBefore = recomputedBefore;
        this.freedAfterBackward = freedAfterBackward;
        this.keptFloats = keptFloats;
        this.peakFloats = peakFloats;
        this.allKeptFloats = allKeptFloats;
    }

    /** The plan for {@code plan}'s step. Graph outputs are the caller's to read and are never freed. */
    public static TrainingMemoryPlan of(TrainingPlan plan) {
        Graph graph = plan.graph();
        Map<Value, Node> storageOf = new HashMap<>();
        List<Node> storages = new ArrayList<>();
        for (Node n : graph.nodes()) {
            Node into = plan.absorbedBy(n);
            if (into != null) {
                storageOf.put(n.output(), into);
            } else {
                storageOf.put(n.output(), n);
                storages.add(n);
            }
        }
        Set<Node> outputs = new HashSet<>();
        for (Value v : graph.outputs()) outputs.add(storageOf.get(v));

        // Backward steps in order, and which storages each reads.
        List<Node> steps = new ArrayList<>();
        Map<Node, Set<Node>> reads = new LinkedHashMap<>();
        for (TrainingPlan.Backward b : plan.backward()) {
            Node n = b.node();
            if (plan.absorbedBy(n) != null) continue;
            Set<Node> r = new HashSet<>();
            SourceOp op = n.sourceOp();
            if (op.backwardReads().inputs()) for (Value v : n.inputs()) if (storageOf.get(v) != null) r.add(storageOf.get(v));
            if (op.backwardReads().output() || plan.absorbsRelu(n)) r.add(n);
            steps.add(n);
            reads.put(n, r);
        }
        Set<Node> needed = new HashSet<>();
        reads.values().forEach(needed::addAll);

        // Fates in topological order: a recomputed storage's inputs must be kept by their own right.
        Map<Node, Fate> fates = new LinkedHashMap<>();
        for (Node s : storages) {
            Fate f;
            if (outputs.contains(s)) f = Fate.KEPT;
            else if (!needed.contains(s)) f = Fate.DROPPED;
            else if (s.sourceOp().recomputesOutput() && !plan.frozen(s) && inputsKept(s, storageOf, fates)) f = Fate.RECOMPUTED;
            else f = Fate.KEPT;
            fates.put(s, f);
        }

        // Forward: dropped and recomputed arrays go back after their last reader's forward.
        Map<Node, Node> lastForwardReader = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (plan.absorbedBy(n) != null) continue;
            for (Value v : n.inputs()) if (storageOf.get(v) != null) lastForwardReader.put(storageOf.get(v), n);
        }
        Map<Node, List<Node>> freedAfterForward = new LinkedHashMap<>();
        Map<Node, List<Node>> lastReadInForward = new LinkedHashMap<>();
        for (Node s : storages) {
            if (outputs.contains(s)) continue;
            lastReadInForward.computeIfAbsent(lastForwardReader.getOrDefault(s, s), k -> new ArrayList<>()).add(s);
            if (fates.get(s) == Fate.KEPT) continue;
            freedAfterForward.computeIfAbsent(lastForwardReader.getOrDefault(s, s), k -> new ArrayList<>()).add(s);
        }

        // Backward: a recomputed array is rebuilt before the first step reading it (its rebuild reads its inputs
        // there); every array goes back after the last step reading it.
        Map<Node, List<Node>> recomputedBefore = new LinkedHashMap<>();
        Map<Node, Integer> lastUse = new HashMap<>();
        Set<Node> rebuilt = new HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            Node n = steps.get(i);
            for (Node s : reads.get(n)) {
                if (fates.get(s) == Fate.RECOMPUTED && rebuilt.add(s)) {
                    recomputedBefore.computeIfAbsent(n, k -> new ArrayList<>()).add(s);
                    for (Value v : s.inputs()) if (storageOf.get(v) != null) lastUse.merge(storageOf.get(v), i, Math::max);
                }
                lastUse.merge(s, i, Math::max);
            }
        }
        Map<Node, List<Node>> freedAfterBackward = new LinkedHashMap<>();
        for (Node s : storages) {
            if (fates.get(s) == Fate.DROPPED || outputs.contains(s) || !lastUse.containsKey(s)) continue;
            freedAfterBackward.computeIfAbsent(steps.get(lastUse.get(s)), k -> new ArrayList<>()).add(s);
        }
        long kept = 0;
        long all = 0;
        for (Node s : storages) {
            if (fates.get(s) == Fate.KEPT) kept += s.output().shape().size();
            all += s.output().shape().size();
        }
        long peak = peak(plan, storages, freedAfterForward, recomputedBefore, freedAfterBackward);
        return new TrainingMemoryPlan(java.util.Collections.unmodifiableMap(fates), freedAfterForward, lastReadInForward, recomputedBefore,
                freedAfterBackward, kept, peak, all);
    }

    private static boolean inputsKept(Node s, Map<Value, Node> storageOf, Map<Node, Fate> fates) {
        for (Value v : s.inputs()) {
            Node in = storageOf.get(v);
            if (in != null && fates.get(in) != Fate.KEPT) return false;
        }
        return true;
    }

    /**
     * The most activation and gradient floats per image alive at once, following the trainer:
     * forward arrays as the plan frees them, then each backward step's input gradients, the
     * gradients it consumes given back, sums into an existing gradient freed at once.
     */
    private static long peak(TrainingPlan plan, List<Node> storages, Map<Node, List<Node>> freedAfterForward,
                             Map<Node, List<Node>> recomputedBefore, Map<Node, List<Node>> freedAfterBackward) {
        long live = 0;
        long peak = 0;
        for (Node s : storages) {
            live += size(s);
            peak = Math.max(peak, live);
            for (Node f : freedAfterForward.getOrDefault(s, List.of())) live -= size(f);
        }
        Map<Value, Long> gradients = new HashMap<>();
        for (TrainingPlan.Backward b : plan.backward()) {
            Node n = b.node();
            Node into = plan.absorbedBy(n);
            Long dy = gradients.remove(n.output());
            if (into != null) {
                if (dy != null) gradients.put(into.output(), dy);
                continue;
            }
            for (Node s : recomputedBefore.getOrDefault(n, List.of())) live += size(s);
            for (int i = 0; i < n.inputs().size(); i++) if (b.inputGradient(i)) live += n.inputs().get(i).shape().size();
            peak = Math.max(peak, live);
            if (dy != null) live -= dy;
            for (int i = 0; i < n.inputs().size(); i++) {
                if (!b.inputGradient(i)) continue;
                Value v = n.inputs().get(i);
                if (gradients.containsKey(v)) live -= v.shape().size();
                else gradients.put(v, v.shape().size());
            }
            for (Node s : freedAfterBackward.getOrDefault(n, List.of())) live -= size(s);
        }
        return peak;
    }

    private static long size(Node s) {
        return s.output().shape().size();
    }

    public Fate fate(Node storage) {
        return fates.get(storage);
    }

    /** Storages whose arrays go back to the pool once {@code n}'s forward has run. */
    public List<Node> freedAfterForward(Node n) {
        return freedAfterForward.getOrDefault(n, List.of());
    }

    /**
     * Storages (graph outputs aside) whose last forward reader is {@code n}: what an evaluating
     * forward pass, which has no backward, can give back once {@code n} has run.
     */
    public List<Node> lastReadInForward(Node n) {
        return lastReadInForward.getOrDefault(n, List.of());
    }

    /** Recomputed storages to rebuild just before {@code n}'s backward. */
    public List<Node> recomputedBefore(Node n) {
        return recomputedBefore.getOrDefault(n, List.of());
    }

    /** Storages whose arrays go back to the pool once {@code n}'s backward has run. */
    public List<Node> freedAfterBackward(Node n) {
        return freedAfterBackward.getOrDefault(n, List.of());
    }

    /** Activation floats per image kept from the forward to the backward. */
    public long keptFloats() {
        return keptFloats;
    }

    /** Activation and gradient floats per image alive at once, at most. */
    public long peakFloats() {
        return peakFloats;
    }

    /**
     * One line per recomputed or dropped storage, then the totals at {@code batch}: {@code memory:
     * keep 1.2 MiB of 3.4 MiB activations, peak 2.0 MiB (batch 128; kernels' scratch not counted)}.
     */
    public String print(int batch) {
        StringBuilder s = new StringBuilder();
        fates.entrySet().stream().filter(e -> e.getValue() != Fate.KEPT).forEach(e -> s.append(e.getValue() == Fate.DROPPED ? "drop " : "recompute ").append(e.getKey().name())
                        .append(e.getValue() == Fate.DROPPED ? " after the forward\n" : " for the backward\n"));
        return s.append(String.format("memory: keep %s of %s activations, peak %s with gradients (batch %d; kernels' scratch not counted)%n",
                mib(keptFloats, batch), mib(allKeptFloats, batch), mib(peakFloats, batch), batch)).toString();
    }

    private static String mib(long floatsPerImage, int batch) {
        return String.format("%.1f MiB", floatsPerImage * batch * 4.0 / (1 << 20));
    }
}
