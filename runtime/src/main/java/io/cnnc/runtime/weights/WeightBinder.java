package io.cnnc.runtime.weights;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.FormatException;
import io.cnnc.runtime.train.Checkpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks tensors read from a weights file against what a network needs: every name present
 * with its exact shape, nothing unknown. A training checkpoint's optimizer state is skipped,
 * so {@code last.safetensors} loads as weights too. All problems are listed in one error.
 */
public final class WeightBinder {

    private WeightBinder() {}

    public static Map<String, Tensor> bind(Graph graph, Map<String, Tensor> file, Path source) throws FormatException {
        List<String> problems = new ArrayList<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<String> expected = new TreeSet<>();
        for (Graph.NamedParam p : graph.parameters()) {
            expected.add(p.name());
            Tensor t = file.get(p.name());
            if (t == null) {
                problems.add("missing tensor '" + p.name() + "' " + Arrays.toString(p.spec().dims()));
            } else if (!Arrays.equals(t.shape(), p.spec().dims())) {
                problems.add("tensor '" + p.name() + "' has shape " + t.shapeString() + ", the model needs "
                        + Arrays.toString(p.spec().dims()));
            } else {
                out.put(p.name(), t);
            }
        }
        for (String name : file.keySet()) {
            if (!expected.contains(name) && !Checkpoints.isOptimizerState(name)) problems.add("unexpected tensor '" + name + "' (no layer of " + graph.name() + " has it)");
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 20);
            String list = String.join("\n  ", problems.subList(0, shown))
                    + (problems.size() > shown ? "\n  ... and " + (problems.size() - shown) + " more" : "");
            throw new FormatException(source + ": weights do not fit network " + graph.name() + " ("
                    + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  " + list);
        }
        return out;
    }
}
