package io.cnnc.runtime.onnx;

import io.cnnc.kernels.OnnxModel.Graph;
import io.cnnc.kernels.OnnxModel.Node;
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
        OnnxGraphIndex index = new OnnxGraphIndex(g);
        for (Node div : g.nodes()) {
            if (!div.opType().equals("Div") || div.inputs().size() != 2 || !near(index.scalar(div.inputs().get(1)), Math.sqrt(2))) continue;
            String x = div.inputs().getFirst();
            Node erf = index.sole(div, "Erf");
            Node add = erf == null ? null : index.sole(erf, "Add");
            if (add == null || !near(index.scalar(OnnxGraphIndex.other(add, OnnxGraphIndex.out(erf))), 1)) continue;
            Node times = index.sole(add, "Mul");
            if (times == null || !x.equals(OnnxGraphIndex.other(times, OnnxGraphIndex.out(add)))) continue;
            Node half = index.sole(times, "Mul");
            if (half == null || !near(index.scalar(OnnxGraphIndex.other(half, OnnxGraphIndex.out(times))), 0.5)) continue;
            for (Node n : List.of(div, erf, add, times)) p.skipped.add(OnnxGraphIndex.out(n));
            p.closing.put(OnnxGraphIndex.out(half), x);
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

    private static boolean near(double v, double want) {
        return Math.abs(v - want) <= 1e-5 * want;
    }
}
