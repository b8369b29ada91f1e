package io.cnnc.runtime.onnx;

import io.cnnc.kernels.OnnxModel.Attribute;
import io.cnnc.kernels.OnnxModel.Graph;
import io.cnnc.kernels.OnnxModel.Node;
import io.cnnc.kernels.OnnxModel.TensorData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who reads and who writes each value of an ONNX graph, its initializers and its outputs: what
 * the patterns found on the whole graph before the import's walk (GeluPattern,
 * DecomposedLayerNorm) follow node to node.
 */
final class OnnxGraphIndex {

    private final Map<String, List<Node>> readers = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, TensorData> initializers = new HashMap<>();
    private final Set<String> outputs = new HashSet<>();

    OnnxGraphIndex(Graph g) {
        for (Node n : g.nodes()) {
            for (String in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            for (String out : n.outputs()) producers.put(out, n);
        }
        for (TensorData t : g.initializers()) initializers.put(t.name(), t);
        g.outputs().forEach(o -> outputs.add(o.name()));
    }

    static String out(Node n) {
        return n.outputs().getFirst();
    }

    /** The one node reading n's output, of type {@code op}, where that output is not a graph output; else null. */
    Node sole(Node n, String op) {
        List<Node> r = readers.getOrDefault(out(n), List.of());
        if (r.size() != 1 || outputs.contains(out(n)) || !r.getFirst().opType().equals(op)) return null;
        return r.getFirst();
    }

    /** The nodes reading {@code value}. */
    List<Node> readers(String value) {
        return readers.getOrDefault(value, List.of());
    }

    boolean isGraphOutput(String value) {
        return outputs.contains(value);
    }

    /** The input of a two-input node that is not {@code value}; null for another number of inputs. */
    static String other(Node n, String value) {
        if (n.inputs().size() != 2) return null;
        return n.inputs().get(0).equals(value) ? n.inputs().get(1) : n.inputs().get(0);
    }

    /** The single float a value holds, from an initializer or a Constant node, or NaN. */
    double scalar(String name) {
        if (name == null) return Double.NaN;
        TensorData t = initializers.get(name);
        Node c = producers.get(name);
        if (t == null && c != null && c.opType().equals("Constant")) {
            Attribute a = c.attributes().get("value");
            if (a != null) t = a.t();
            else if (c.attributes().containsKey("value_float")) return c.number("value_float", Float.NaN);
        }
        if (t == null || t.floats() == null || t.floats().length != 1) return Double.NaN;
        return t.floats()[0];
    }

    /** An initializer's or Constant node's values, or null. */
    TensorData constant(String name) {
        TensorData t = initializers.get(name);
        Node c = producers.get(name);
        if (t == null && c != null && c.opType().equals("Constant") && c.attributes().get("value") != null) t = c.attributes().get("value").t();
        return t;
    }

    /** An initializer, or an Identity of one (PyTorch's exporter writes one where two layers' tensors were equal). */
    boolean isInitializer(String name) {
        if (name == null) return false;
        if (initializers.containsKey(name)) return true;
        Node p = producers.get(name);
        return p != null && p.opType().equals("Identity") && isInitializer(p.inputs().getFirst());
    }
}
