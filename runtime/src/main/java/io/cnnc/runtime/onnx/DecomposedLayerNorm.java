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
 * Layer norm over the last axis as exporters write it before opset 17 has LayerNormalization
 * (PyTorch's F.layer_norm at opset 13, ConvNeXt's): ReduceMean, Sub, Pow 2, ReduceMean, Add eps,
 * Sqrt, Div, Mul by the weight, Add the bias. Each such chain, every intermediate read only
 * inside it, becomes the one LayerNormalization node opset 17 would have written, so the
 * importer's LayerNormalization rules (of [N, F], or of a channel-last view between Transposes)
 * apply unchanged.
 */
final class DecomposedLayerNorm {

    private final Map<String, List<Node>> readers = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, TensorData> initializers = new HashMap<>();
    private final Set<String> outputs = new HashSet<>();

    private DecomposedLayerNorm(Graph g) {
        for (Node n : g.nodes()) {
            for (String in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            for (String out : n.outputs()) producers.put(out, n);
        }
        for (TensorData t : g.initializers()) initializers.put(t.name(), t);
        g.outputs().forEach(o -> outputs.add(o.name()));
    }

    /** {@code g} with each decomposed layer norm replaced by one LayerNormalization node; {@code g} itself where there is none. */
    static Graph rewrite(Graph g) {
        DecomposedLayerNorm finder = new DecomposedLayerNorm(g);
        Map<Node, Node> replacing = new HashMap<>();
        Set<Node> removed = new HashSet<>();
        for (Node mean : g.nodes()) {
            List<Node> chain = finder.chain(mean);
            if (chain == null) continue;
            Node last = chain.getLast();
            removed.addAll(chain);
            replacing.put(last, finder.layerNormalization(chain));
        }
        if (replacing.isEmpty()) return g;
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (replacing.containsKey(n)) nodes.add(replacing.get(n));
            else if (!removed.contains(n)) nodes.add(n);
        }
        return new Graph(g.name(), nodes, g.initializers(), g.inputs(), g.outputs());
    }

    /** The chain from this ReduceMean to the closing Mul or Add, or null where it is not a layer norm. */
    private List<Node> chain(Node mean) {
        if (!isLastAxisMean(mean)) return null;
        String x = mean.inputs().getFirst();
        Node sub = sole(mean, "Sub");
        if (sub == null || !sub.inputs().equals(List.of(x, out(mean)))) return null;
        List<Node> subReaders = readers.getOrDefault(out(sub), List.of());
        if (subReaders.size() != 2 || outputs.contains(out(sub))) return null;
        Node pow = subReaders.stream().filter(n -> n.opType().equals("Pow")).findFirst().orElse(null);
        Node div = subReaders.stream().filter(n -> n.opType().equals("Div")).findFirst().orElse(null);
        if (pow == null || div == null || !out(sub).equals(pow.inputs().getFirst()) || GeluPattern.scalar(pow.inputs().get(1), initializers, producers) != 2) {
            return null;
        }
        Node variance = sole(pow, "ReduceMean");
        if (variance == null || !isLastAxisMean(variance)) return null;
        Node addEps = sole(variance, "Add");
        if (addEps == null || Double.isNaN(GeluPattern.scalar(other(addEps, out(variance)), initializers, producers))) return null;
        Node sqrt = sole(addEps, "Sqrt");
        if (sqrt == null || sole(sqrt, "Div") != div || !div.inputs().equals(List.of(out(sub), out(sqrt)))) return null;
        Node scale = sole(div, "Mul");
        if (scale == null || !isConstant(other(scale, out(div)))) return null;
        List<Node> chain = new ArrayList<>(List.of(mean, sub, pow, variance, addEps, sqrt, div, scale));
        Node shift = outputs.contains(out(scale)) ? null : sole(scale, "Add");
        if (shift != null && isConstant(other(shift, out(scale)))) chain.add(shift);
        return chain;
    }

    /** The LayerNormalization node standing for {@code chain}: x, the weight and the bias, epsilon; it writes the chain's output. */
    private Node layerNormalization(List<Node> chain) {
        Node scale = chain.get(7);
        Node last = chain.getLast();
        List<String> inputs = new ArrayList<>(List.of(chain.getFirst().inputs().getFirst(), other(scale, out(chain.get(6)))));
        if (last != scale) inputs.add(other(last, out(scale)));
        float eps = (float) GeluPattern.scalar(other(chain.get(4), out(chain.get(3))), initializers, producers);
        Map<String, Attribute> attributes = Map.of("axis", new Attribute("axis", 0, -1, null, null, null, null),
                "epsilon", new Attribute("epsilon", eps, 0, null, null, null, null));
        return new Node("LayerNormalization", "", last.name(), inputs, last.outputs(), attributes);
    }

    /** A ReduceMean over the last axis alone, keeping it: axes [-1] as an attribute (before opset 18) or a constant input. */
    private boolean isLastAxisMean(Node n) {
        if (!n.opType().equals("ReduceMean") || n.integer("keepdims", 1) != 1) return false;
        long[] axes = n.ints("axes", null);
        if (axes == null && n.inputs().size() > 1) {
            TensorData t = initializers.get(n.inputs().get(1));
            if (t == null && producers.get(n.inputs().get(1)) instanceof Node c && c.opType().equals("Constant") && c.attributes().get("value") != null) {
                t = c.attributes().get("value").t();
            }
            axes = t == null ? null : t.longs();
        }
        return axes != null && axes.length == 1 && axes[0] == -1;
    }

    /** An initializer, or an Identity of one (PyTorch's exporter writes one where two layers' tensors were equal). */
    private boolean isConstant(String name) {
        if (name == null) return false;
        if (initializers.containsKey(name)) return true;
        Node p = producers.get(name);
        return p != null && p.opType().equals("Identity") && isConstant(p.inputs().getFirst());
    }

    /** The one node reading n's output, of type {@code op}, where the output is not a graph output. */
    private Node sole(Node n, String op) {
        List<Node> r = readers.getOrDefault(out(n), List.of());
        if (r.size() != 1 || outputs.contains(out(n)) || !r.getFirst().opType().equals(op)) return null;
        return r.getFirst();
    }

    private static String out(Node n) {
        return n.outputs().getFirst();
    }

    /** The input of a two-input node that is not {@code value}. */
    private static String other(Node n, String value) {
        if (n.inputs().size() != 2) return null;
        return n.inputs().get(0).equals(value) ? n.inputs().get(1) : n.inputs().get(0);
    }
}
