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
 * GELU as exporters write it before opset 20 has a Gelu: 0.5 * (x * (1 + Erf(x / sqrt 2))), the
 * nodes Div, Erf, Add, Mul, Mul (PyTorch's nn.GELU and cnnc's own export). Found on the whole
 * graph before the walk, each intermediate read by its next node alone, so that a Div by sqrt 2
 * elsewhere still imports as the scale it is: the first four nodes are skipped and the last
 * becomes {@code gelu} on x.
 */
final class GeluPattern {

    /** The ONNX op only a GELU brings: the importer accepts it for this pattern alone. */
    static final String ERF = "Erf";

    private final Set<String> skipped = new HashSet<>();
    /** The closing Mul's output, by the ONNX value x the GELU applies to. */
    private final Map<String, String> closing = new HashMap<>();

    static GeluPattern find(Graph g) {
        GeluPattern p = new GeluPattern();
        Map<String, List<Node>> readers = new HashMap<>();
        Map<String, Node> producers = new HashMap<>();
        for (Node n : g.nodes()) {
            for (String in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            for (String out : n.outputs()) producers.put(out, n);
        }
        Map<String, TensorData> initializers = new HashMap<>();
        for (TensorData t : g.initializers()) initializers.put(t.name(), t);
        Set<String> outputs = new HashSet<>();
        g.outputs().forEach(o -> outputs.add(o.name()));
        for (Node div : g.nodes()) {
            if (!div.opType().equals("Div") || div.inputs().size() != 2 || !near(scalar(div.inputs().get(1), initializers, producers), Math.sqrt(2))) continue;
            String x = div.inputs().getFirst();
            Node erf = sole(div, readers, outputs, "Erf");
            Node add = erf == null ? null : sole(erf, readers, outputs, "Add");
            if (add == null || !near(scalar(other(add, erf.outputs().getFirst()), initializers, producers), 1)) continue;
            Node times = sole(add, readers, outputs, "Mul");
            if (times == null || !x.equals(other(times, add.outputs().getFirst()))) continue;
            Node half = sole(times, readers, Set.of(), "Mul");
            if (half == null || !near(scalar(other(half, times.outputs().getFirst()), initializers, producers), 0.5)) continue;
            for (Node n : List.of(div, erf, add, times)) p.skipped.add(n.outputs().getFirst());
            p.closing.put(half.outputs().getFirst(), x);
        }
        return p;
    }

    /** Whether n is one of a GELU's first four nodes, which produce no value of their own. */
    boolean skips(Node n) {
        return !n.outputs().isEmpty() && skipped.contains(n.outputs().getFirst());
    }

    /** The ONNX value the GELU n closes applies to, or null where n closes none. */
    String closes(Node n) {
        return n.outputs().isEmpty() ? null : closing.get(n.outputs().getFirst());
    }

    /** The one node reading n's output, if it is of type {@code op} and the output is not a graph output. */
    private static Node sole(Node n, Map<String, List<Node>> readers, Set<String> outputs, String op) {
        String out = n.outputs().getFirst();
        List<Node> r = readers.getOrDefault(out, List.of());
        if (r.size() != 1 || outputs.contains(out) || !r.getFirst().opType().equals(op) || r.getFirst().inputs().size() != 2 && !op.equals("Erf")) return null;
        return r.getFirst();
    }

    /** The input of a two-input node that is not {@code value}. */
    private static String other(Node n, String value) {
        if (n.inputs().size() != 2) return null;
        return n.inputs().get(0).equals(value) ? n.inputs().get(1) : n.inputs().get(0);
    }

    /** The single float a value holds, from an initializer or a Constant node, or NaN. */
    static double scalar(String name, Map<String, TensorData> initializers, Map<String, Node> producers) {
        if (name == null) return Double.NaN;
        TensorData t = initializers.get(name);
        if (t == null && producers.get(name) != null && producers.get(name).opType().equals("Constant")) {
            Node c = producers.get(name);
            Attribute a = c.attributes().get("value");
            if (a != null) t = a.t();
            else if (c.attributes().containsKey("value_float")) return c.number("value_float", Float.NaN);
        }
        if (t == null || t.floats() == null || t.floats().length != 1) return Double.NaN;
        return t.floats()[0];
    }

    private static boolean near(double v, double want) {
        return Math.abs(v - want) <= 1e-5 * want;
    }
}
