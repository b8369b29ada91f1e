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

    private final OnnxGraphIndex index;

    private DecomposedLayerNorm(Graph g) {
        index = new OnnxGraphIndex(g);
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
        Node sub = index.sole(mean, "Sub");
        if (sub == null || !sub.inputs().equals(List.of(x, out(mean)))) return null;
        List<Node> subReaders = index.readers(out(sub));
        if (subReaders.size() != 2 || index.isGraphOutput(out(sub))) return null;
        Node pow = subReaders.stream().filter(n -> n.opType().equals("Pow")).findFirst().orElse(null);
        Node div = subReaders.stream().filter(n -> n.opType().equals("Div")).findFirst().orElse(null);
        if (pow == null || div == null || !out(sub).equals(pow.inputs().getFirst()) || index.scalar(pow.inputs().get(1)) != 2) {
            return null;
        }
        Node variance = index.sole(pow, "ReduceMean");
        if (variance == null || !isLastAxisMean(variance)) return null;
        Node addEps = index.sole(variance, "Add");
        if (addEps == null || Double.isNaN(index.scalar(other(addEps, out(variance))))) return null;
        Node sqrt = index.sole(addEps, "Sqrt");
        if (sqrt == null || index.sole(sqrt, "Div") != div || !div.inputs().equals(List.of(out(sub), out(sqrt)))) return null;
        Node scale = index.sole(div, "Mul");
        if (scale == null || !index.isInitializer(other(scale, out(div)))) return null;
        List<Node> chain = new ArrayList<>(List.of(mean, sub, pow, variance, addEps, sqrt, div, scale));
        Node shift = index.sole(scale, "Add");
        if (shift != null && index.isInitializer(other(shift, out(scale)))) chain.add(shift);
        return chain;
    }

    /** The LayerNormalization node standing for {@code chain}: x, the weight and the bias, epsilon; it writes the chain's output. */
    private Node layerNormalization(List<Node> chain) {
        Node scale = chain.get(7);
        Node last = chain.getLast();
        List<String> inputs = new ArrayList<>(List.of(chain.getFirst().inputs().getFirst(), other(scale, out(chain.get(6)))));
        if (last != scale) inputs.add(other(last, out(scale)));
        float eps = (float) index.scalar(other(chain.get(4), out(chain.get(3))));
        Map<String, Attribute> attributes = Map.of("axis", new Attribute("axis", 0, -1, null, null, null, null),
                "epsilon", new Attribute("epsilon", eps, 0, null, null, null, null));
        return new Node("LayerNormalization", "", last.name(), inputs, last.outputs(), attributes);
    }

    /** A ReduceMean over the last axis alone, keeping it: axes [-1] as an attribute (before opset 18) or a constant input. */
    private boolean isLastAxisMean(Node n) {
        if (!n.opType().equals("ReduceMean") || n.integer("keepdims", 1) != 1) return false;
        long[] axes = n.ints("axes", null);
        if (axes == null && n.inputs().size() > 1) {
            TensorData t = index.constant(n.inputs().get(1));
            axes = t == null ? null : t.longs();
        }
        return axes != null && axes.length == 1 && axes[0] == -1;
    }

    private static String out(Node n) {
        return OnnxGraphIndex.out(n);
    }

    private static String other(Node n, String value) {
        return OnnxGraphIndex.other(n, value);
    }
}
