package io.cnnc.compiler.plan;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns every intermediate value a buffer ("slot"), reusing a slot once every reader of its
 * previous value has run (see {@link #take} for which slot). Graph inputs are the caller's arrays and get no slot. A node's output
 * never shares a slot with its own inputs (kernels do not work in place). Flatten is a view: its
 * output is its input's slot. Greedy in definition order.
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

    /**
     * A free slot of exactly this size, else a new one. Exact sizes because several kernels take
     * the tensor size from the array's length; networks repeat shapes within a stage, so most
     * values still find a slot to reuse.
     */
    private int take(List<Integer> free, long size) {
        for (int s : free) {
            if (slotSizes.get(s) == size) {
                free.remove(Integer.valueOf(s));
                return s;
            }
        }
        slotSizes.add(size);
        return slotSizes.size() - 1;
    }

    static boolean isView(Node n) {
        return n.op().view();
    }

    /** The value whose storage {@code v} is: itself, or for a flatten the value it views. */
    public static Value storage(Value v) {
        return root(v);
    }

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
