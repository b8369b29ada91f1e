package io.cnnc.compiler.plan;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.FlattenOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns every intermediate value a buffer ("slot"), reusing a slot once every reader of its
 * previous value has run. Graph inputs are the caller's arrays and get no slot. A node's output
 * never shares a slot with its own inputs (kernels do not work in place). Flatten is a view: its
 * output is its input's slot. Greedy by definition order, best fit by size.
 */
public final class MemoryPlan {

    private final Map<Value, Integer> slotOf = new HashMap<>();
    private final List<Long> slotSizes = new ArrayList<>();
    private final long unsharedFloats;

    private MemoryPlan(long unsharedFloats) {
        this.unsharedFloats = unsharedFloats;
    }

    /** Sizes are per sample; multiply by the batch for floats. */
    public static MemoryPlan of(Graph graph) {
        Map<Value, Integer> lastUse = new HashMap<>();
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            for (Value v : nodes.get(i).inputs()) lastUse.put(root(v), i);
        }
        for (Value v : graph.outputs()) lastUse.put(root(v), Integer.MAX_VALUE);
        long unshared = 0;
        for (Node n : nodes) if (!isView(n)) unshared += n.output().shape().size();
        MemoryPlan plan = new MemoryPlan(unshared);
        List<Integer> free = new ArrayList<>();
        Map<Integer, List<Value>> endingAt = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Value out = n.output();
            if (isView(n)) {
                Integer s = plan.slotOf.get(root(out));
                if (s != null) plan.slotOf.put(out, s);
            } else {
                int slot = plan.take(free, out.shape().size());
                plan.slotOf.put(out, slot);
                int end = lastUse.getOrDefault(out, i);
                endingAt.computeIfAbsent(end, k -> new ArrayList<>()).add(out);
            }
            for (Value dead : endingAt.getOrDefault(i, List.of())) free.add(plan.slotOf.get(dead));
        }
        return plan;
    }

    /** The smallest free slot that fits; else the largest free one, grown; else a new slot. */
    private int take(List<Integer> free, long size) {
        int fit = -1;
        int largest = -1;
        for (int s : free) {
            long have = slotSizes.get(s);
            if (have >= size && (fit < 0 || have < slotSizes.get(fit))) fit = s;
            if (largest < 0 || have > slotSizes.get(largest)) largest = s;
        }
        int chosen = fit >= 0 ? fit : largest;
        if (chosen < 0) {
            slotSizes.add(size);
            return slotSizes.size() - 1;
        }
        free.remove(Integer.valueOf(chosen));
        if (slotSizes.get(chosen) < size) slotSizes.set(chosen, size);
        return chosen;
    }

    static boolean isView(Node n) {
        return n.op() instanceof FlattenOp;
    }

    /** The value whose storage {@code v} is: itself, or for a flatten the value it views. */
    private static Value root(Value v) {
        while (v.producer() != null && isView(v.producer())) v = v.producer().inputs().getFirst();
        return v;
    }

    /** The slot holding {@code v}, or -1 for graph inputs (and views of them). */
    public int slot(Value v) {
        return slotOf.getOrDefault(v, -1);
    }

    public List<Long> slotSizes() {
        return List.copyOf(slotSizes);
    }

    /** Bytes of all slots for a batch: what the compiled model allocates for intermediates. */
    public long peakBytes(int batch) {
        return slotSizes.stream().mapToLong(Long::longValue).sum() * batch * Float.BYTES;
    }

    /** Bytes if every intermediate value had its own buffer, as the reference executor does. */
    public long unsharedBytes(int batch) {
        return unsharedFloats * batch * Float.BYTES;
    }
}
