package io.cnnc.runtime.exec;

import io.cnnc.compiler.exec.GraphReference;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Value;
import io.cnnc.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph for inference with the reference kernels, node by node ({@link GraphReference}),
 * on tensors: the slow, obviously correct executor every compiled plan is compared with.
 */
public final class ReferenceExecutor {

    private final Graph graph;
    private final Map<String, Tensor> weights;

    public ReferenceExecutor(Graph graph, Map<String, Tensor> weights) {
        this.graph = graph;
        this.weights = weights;
    }

    /** Inputs are {@code [N, C, H, W]} in the order the network declares them. */
    public List<Tensor> run(List<Tensor> inputs) {
        if (inputs.size() != graph.inputs().size()) {
            throw new IllegalArgumentException(graph.name() + " takes " + graph.inputs().size() + " inputs, got " + inputs.size());
        }
        int batch = inputs.getFirst().dim(0);
        List<float[]> arrays = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Value v = graph.inputs().get(i);
            Tensor t = inputs.get(i);
            if (t.dim(0) != batch || t.size() != (long) batch * v.shape().size()) {
                throw new IllegalArgumentException("input '" + v.label() + "' must be [N, " + v.shape().c() + ", "
                        + v.shape().h() + ", " + v.shape().w() + "], got " + t.shapeString());
            }
            arrays.add(t.data());
        }
        List<float[]> results = new GraphReference(graph, this::tensor).run(arrays, batch);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) out.add(Tensor.of(results.get(i), graph.outputs().get(i).shape().withBatch(batch)));
        return out;
    }

    private float[] tensor(String name) {
        Tensor t = weights.get(name);
        return t == null ? null : t.data();
    }
}
