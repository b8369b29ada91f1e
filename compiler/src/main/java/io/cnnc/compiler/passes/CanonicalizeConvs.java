package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.ConvOp;

/** Every convolution left unfused becomes a fused one with nothing fused, so later stages see one conv kind. */
public final class CanonicalizeConvs implements Pass {

    @Override
    public String name() {
        return "canonicalize-convs";
    }

    @Override
    public Graph apply(Graph graph) {
        if (graph.nodes().stream().noneMatch(n -> n.op() instanceof ConvOp)) return graph;
        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            if (n.op() instanceof ConvOp) r.replace(n, n.name(), Fusion.asFused(n), n.inputs());
            else r.keep(n);
        }
        return r.finish();
    }
}
