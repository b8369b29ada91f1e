package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.DropoutOp;

/** Inference only: dropout is the identity, so its readers read its input directly. */
public final class RemoveDropout implements Pass {

    @Override
    public String name() {
        return "remove-dropout";
    }

    @Override
    public Graph apply(Graph graph) {
        if (graph.nodes().stream().noneMatch(n -> n.op() instanceof DropoutOp)) return graph;
        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            if (n.op() instanceof DropoutOp) r.alias(n, n.inputs().getFirst());
            else r.keep(n);
        }
        return r.finish();
    }
}
