package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/** Drops nodes no output depends on (a branch computed and never used, or left behind by other passes). */
public final class EliminateDeadNodes implements Pass {

    @Override
    public String name() {
        return "eliminate-dead-nodes";
    }

    @Override
    public Graph apply(Graph graph) {
        Set<Node> live = new HashSet<>();
        Deque<Value> work = new ArrayDeque<>(graph.outputs());
        while (!work.isEmpty()) {
            Node p = work.pop().producer();
            if (p != null && live.add(p)) work.addAll(p.inputs());
        }
        if (live.size() == graph.nodes().size()) return graph;
        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            if (live.contains(n)) r.keep(n);
            else r.drop(n);
        }
        return r.finish();
    }
}
