package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Layout;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.BlockableOp;
import io.cnnc.compiler.ops.BlockedOp;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.ops.GlobalPoolOp;
import io.cnnc.compiler.ops.Op;
import io.cnnc.compiler.ops.PoolOp;
import io.cnnc.compiler.ops.ReorderOp;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Layout choice. Convolutions named in {@code blocked} (their chosen kernel is channel-blocked)
 * read and write NCHW16c (an input whose channels do not fill blocks, a 3-channel image, stays NCHW); adds and activations run in their inputs' layout when the inputs
 * agree (they are elementwise, and blocked tensors are never padded), and so do max and global
 * pooling, which become a {@link BlockedOp} on a blocked input; every other op, and the graph's
 * inputs and outputs, are NCHW. A {@link ReorderOp} goes exactly where a value's layout
 * differs from what a reader needs, one per value and layout however many readers share it.
 * <p>
 * A blocked conv pays for the reorders around it, so {@code stillWorth} is asked about each one
 * with the elements (per sample) of the tensors it makes reordered, its input and its output;
 * a conv it rejects goes back to NCHW and the layouts are chosen again, until every blocked conv
 * is worth its reorders.
 */
public final class ChooseLayouts implements Pass {

    private final Set<String> blocked;
    private final BiPredicate<Node, Long> stillWorth;

    public ChooseLayouts(Set<String> blocked, BiPredicate<Node, Long> stillWorth) {
        this.blocked = Set.copyOf(blocked);
        this.stillWorth = stillWorth;
    }

    @Override
    public String name() {
        return "choose-layouts";
    }

    /** The conv names left blocked after rejecting those not worth their reorders. */
    public Set<String> blockedAfter(Graph graph) {
        Set<String> current = new HashSet<>(blocked);
        while (true) {
            Graph laid = layOut(graph, current);
            Set<String> rejected = new HashSet<>();
            for (Node n : laid.nodes()) {
                if (n.op() instanceof FusedConvOp && current.contains(n.name())) {
                    long reordered = reorderedAround(laid, n);
                    if (reordered > 0 && !stillWorth.test(n, reordered)) rejected.add(n.name());
                }
            }
            if (rejected.isEmpty()) return current;
            current.removeAll(rejected);
        }
    }

    @Override
    public Graph apply(Graph graph) {
        return layOut(graph, blockedAfter(graph));
    }

    /** Elements per sample of the conv's inputs made by reorders, plus its output's when only reorders read it. */
    public static long reorderedAround(Graph laid, Node conv) {
        long elements = 0;
        for (Value in : conv.inputs()) if (in.producer() != null && in.producer().op() instanceof ReorderOp) elements += in.shape().size();
        List<Node> readers = laid.nodes().stream().filter(m -> m.inputs().contains(conv.output())).toList();
        boolean outputReordered = !readers.isEmpty() && readers.stream().allMatch(m -> m.op() instanceof ReorderOp);
        if (outputReordered || laid.outputs().contains(conv.output())) elements += conv.output().shape().size();
        return elements;
    }

    /** The graph laid out with exactly the convs of {@code blocked} on NCHW16c. */
    public static Graph layOut(Graph graph, Set<String> blocked) {
        Rewriter r = new Rewriter(graph);
        Map<Value, Layout> layouts = new HashMap<>();
        Map<Value, Map<Layout, Value>> reorders = new HashMap<>();
        for (Node n : graph.nodes()) {
            List<Value> ins = n.inputs().stream().map(r::translate).toList();
            Layout want = wanted(n, ins, layouts, blocked);
            List<Value> args = new ArrayList<>();
            for (int i = 0; i < ins.size(); i++) {
                // A blocked conv reads an input whose channels do not fill blocks as NCHW (ConvStrategy#blocked).
                boolean rawInput = i == 0 && want == Layout.NCHWC && n.op() instanceof FusedConvOp && !Nchwc.blocks(ins.get(i).shape().c());
                args.add(as(r, ins.get(i), rawInput ? Layout.NCHW : want, layouts, reorders));
            }
            Op op = want == Layout.NCHWC && n.op() instanceof BlockableOp b ? new BlockedOp(b) : n.op();
            r.replaceTranslated(n, n.name(), op, args);
            layouts.put(r.translate(n.output()), want);
        }
        List<Value> outs = new ArrayList<>();
        for (Value v : graph.outputs()) outs.add(as(r, r.translate(v), Layout.NCHW, layouts, reorders));
        return r.finish(outs);
    }

    private static Layout wanted(Node n, List<Value> ins, Map<Value, Layout> layouts, Set<String> blocked) {
        if (n.op().elementwise()) return common(ins, layouts);
        return switch (n.op()) {
            case FusedConvOp f -> blocked.contains(n.name()) ? Layout.NCHWC : Layout.NCHW;
            // Blocked kernels exist for these; a pool never makes its input blocked, only follows it.
            case PoolOp p when p.kind() == PoolOp.Kind.MAX && Nchwc.blocks(ins.getFirst().shape().c()) -> common(ins, layouts);
            case GlobalPoolOp g when Nchwc.blocks(ins.getFirst().shape().c()) -> common(ins, layouts);
            default -> Layout.NCHW;
        };
    }

    private static Layout common(List<Value> ins, Map<Value, Layout> layouts) {
        Layout first = layouts.getOrDefault(ins.getFirst(), Layout.NCHW);
        return ins.stream().allMatch(v -> layouts.getOrDefault(v, Layout.NCHW) == first) ? first : Layout.NCHW;
    }

    private static Value as(Rewriter r, Value v, Layout want, Map<Value, Layout> layouts, Map<Value, Map<Layout, Value>> reorders) {
        Layout have = layouts.getOrDefault(v, Layout.NCHW);
        if (have == want) return v;
        return reorders.computeIfAbsent(v, k -> new HashMap<>()).computeIfAbsent(want, l -> {
            String name = (v.producer() != null ? v.producer().name() : v.label()) + ">" + l.label();
            Value out = r.emit(name, new ReorderOp(have, l), List.of(v), v.producer() != null ? v.producer().span() : null);
            layouts.put(out, l);
            return out;
        });
    }
}
