package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import java.util.HashMap;
import java.util.Map;

/** How many times each value is read: by nodes, plus once for each time it is a graph output. */
public final class Uses {

    private final Map<Value, Integer> counts = new HashMap<>();

    public Uses(Graph graph) {
        for (Node n : graph.nodes()) for (Value v : n.inputs()) counts.merge(v, 1, Integer::sum);
        for (Value v : graph.outputs()) counts.merge(v, 1, Integer::sum);
    }

    public int of(Value v) {
        return counts.getOrDefault(v, 0);
    }

    /** True when {@code v} feeds exactly one node and is not an output: fusing it away hides nothing. */
    public boolean onlyOne(Value v) {
        return of(v) == 1;
    }
}
