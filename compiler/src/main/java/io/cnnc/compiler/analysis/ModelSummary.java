package io.cnnc.compiler.analysis;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-layer facts of a network for {@code cnnc info}: output shape, learned parameters,
 * multiply-accumulates (conv and dense; others count 0) and theoretical receptive field.
 */
public record ModelSummary(String network, List<Input> inputs, List<Row> rows, long params, long buffers, long macs) {

    public record Input(String name, Shape shape) {}

    public record Row(String name, String type, List<String> inputs, Shape output, long params, long macs, ReceptiveField receptiveField) {}

    public static ModelSummary of(Graph graph) {
        Map<Value, ReceptiveField> fields = new HashMap<>();
        List<Input> inputs = new ArrayList<>();
        for (Value in : graph.inputs()) {
            fields.put(in, ReceptiveField.PIXEL);
            inputs.add(new Input(in.label(), in.shape()));
        }
        List<Row> rows = new ArrayList<>();
        long params = 0;
        long buffers = 0;
        long macs = 0;
        for (Node n : graph.nodes()) {
            ReceptiveField rf = null;
            for (Value v : n.inputs()) rf = rf == null ? fields.get(v) : rf.max(fields.get(v));
            rf = rf.through(n.op().window(n.inputShapes()));
            fields.put(n.output(), rf);
            long p = 0;
            for (ParamSpec spec : n.params()) {
                if (spec.learned()) p += spec.size();
                else buffers += spec.size();
            }
            long m = n.op().macs(n.inputShapes(), n.output().shape());
            params += p;
            macs += m;
            rows.add(new Row(n.name(), n.op().type(), n.inputs().stream().map(Value::label).toList(),
                    n.output().shape(), p, m, rf));
        }
        return new ModelSummary(graph.name(), inputs, rows, params, buffers, macs);
    }
}
