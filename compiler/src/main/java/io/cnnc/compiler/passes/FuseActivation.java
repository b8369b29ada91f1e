package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.ActivationOp;
import java.util.HashSet;
import java.util.Set;

/** An activation applied to a convolution read by nothing else runs in the convolution's epilogue. */
public final class FuseActivation implements Pass {

    @Override
    public String name() {
        return "fuse-activation";
    }

    @Override
    public Graph apply(Graph graph) {
        Uses uses = new Uses(graph);
        Set<Node> fused = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof ActivationOp) {
                Node p = n.inputs().getFirst().producer();
                if (Fusion.isConv(p) && uses.onlyOne(p.output()) && Fusion.asFused(p).activation() == null) fused.add(p);
            }
        }
        if (fused.isEmpty()) return graph;
        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            if (fused.contains(n)) {
                r.drop(n);
            } else if (n.op() instanceof ActivationOp a && fused.contains(n.inputs().getFirst().producer())) {
                Node conv = n.inputs().getFirst().producer();
                r.replace(n, conv.name(), Fusion.asFused(conv).withActivation(a), conv.inputs());
            } else {
                r.keep(n);
            }
        }
        return r.finish();
    }
}
