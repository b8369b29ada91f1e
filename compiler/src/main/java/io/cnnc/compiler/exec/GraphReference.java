package io.cnnc.compiler.exec;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.Eval;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a graph for inference node by node, each op by its reference computation
 * ({@link io.cnnc.compiler.ops.Op#reference}): the slow, obviously correct meaning of the IR
 * that every pass and every compiled plan is compared with. Any level of graph runs, source or
 * optimized, since every op states its meaning.
 */
public final class GraphReference {

    private final Graph graph;
    private final Function<String, float[]> tensors;

    public GraphReference(Graph graph, Function<String, float[]> tensors) {
        this.graph = graph;
        this.tensors = tensors;
    }

    /**
     * Inputs are {@code [batch, C, H, W]} flattened, in the order the network declares them, of
     * the sizes the graph's input shapes give (checked by the caller); returns the outputs alike.
     */
    public List<float[]> run(List<float[]> inputs, int batch) {
        Map<Value, float[]> values = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) values.put(graph.inputs().get(i), inputs.get(i));
        for (Node n : graph.nodes()) {
            float[] y = new float[Math.toIntExact(batch * n.output().shape().size())];
            List<float[]> args = new ArrayList<>();
            for (Value v : n.inputs()) args.add(values.get(v));
            n.op().reference(new Eval(n, batch, args, y, tensors));
            values.put(n.output(), y);
        }
        List<float[]> out = new ArrayList<>();
        for (Value v : graph.outputs()) out.add(values.get(v));
        return out;
    }
}
