package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.AddOp;
import io.cnnc.compiler.ops.FusedConvOp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code conv(x) + r} becomes one convolution whose epilogue adds {@code r}: the sum is written
 * once instead of written, read back and written again. The conv's output must feed only the
 * add, and the conv must not have an activation yet (the add comes before it). When both
 * operands are convolutions, the one computed later is fused, so the other is ready by then.
 */
public final class FuseResidual implements Pass {

    @Override
    public String name() {
        return "fuse-residual";
    }

    @Override
    public Graph apply(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Node, Node> convOfAdd = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (!(n.op() instanceof AddOp) || n.inputs().size() != 2) continue;
            Node best = null;
            for (Value v : n.inputs()) {
                Node p = v.producer();
                if (fusable(p, uses) && (best == null || p.id() > best.id())) best = p;
            }
            if (best != null && n.inputs().get(0) != n.inputs().get(1)) convOfAdd.put(n, best);
        }
        if (convOfAdd.isEmpty()) return graph;
        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            Node conv = convOfAdd.get(n);
            if (convOfAdd.containsValue(n)) {
                r.drop(n);
            } else if (conv != null) {
                Value other = n.inputs().get(0).producer() == conv ? n.inputs().get(1) : n.inputs().get(0);
                FusedConvOp f = Fusion.asFused(conv).withResidual();
                r.replace(n, conv.name(), f, List.of(conv.inputs().getFirst(), other));
            } else {
                r.keep(n);
            }
        }
        return r.finish();
    }

    private static boolean fusable(Node p, Uses uses) {
        if (!Fusion.isConv(p) || !uses.onlyOne(p.output())) return false;
        FusedConvOp f = Fusion.asFused(p);
        return !f.residual() && f.activation() == null;
    }
}
