package io.cnnc.runtime.onnx;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.OnnxCode;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.Init;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a compiled network with its weights as an ONNX model (opset 17) that ONNX Runtime runs
 * with the same outputs. Values stay [N, C, H, W] throughout (dense outputs are reshaped back
 * to [N, units, 1, 1]), so every op sees the layout it sees in cnnc.
 */
public final class OnnxExporter {

    public static final long OPSET = 17;

    private final Graph graph;
    private final Map<String, Tensor> weights;
    private final List<NodeSpec> nodes = new ArrayList<>();
    private final List<Init> inits = new ArrayList<>();
    private final Map<Value, String> names = new HashMap<>();
    private int counter;

    private OnnxExporter(Graph graph, Map<String, Tensor> weights) {
        this.graph = graph;
        this.weights = weights;
    }

    public static byte[] export(Graph graph, Map<String, Tensor> weights) throws IOException, ImportException {
        return new OnnxExporter(graph, weights).run();
    }

    private byte[] run() throws IOException, ImportException {
        List<IO> inputs = new ArrayList<>();
        for (Value in : graph.inputs()) {
            names.put(in, in.label());
            inputs.add(new IO(in.label(), dims(in.shape())));
        }
        for (Node n : graph.nodes()) node(n);
        List<IO> outputs = new ArrayList<>();
        for (Value out : graph.outputs()) {
            String name = "output" + (outputs.isEmpty() ? "" : outputs.size());
            add("Identity", List.of(names.get(out)), name);
            outputs.add(new IO(name, dims(out.shape())));
        }
        return OnnxWriter.model(graph.name(), OPSET, nodes, inits, inputs, outputs);
    }

    private static long[] dims(Shape s) {
        return new long[] {-1, s.c(), s.h(), s.w()};
    }

    private String add(String op, List<String> inputs, String output, Attribute... attrs) {
        nodes.add(new NodeSpec(op, op + "_" + nodes.size(), inputs, List.of(output), List.of(attrs)));
        return output;
    }

    private String temp() {
        return "t" + (counter++);
    }

    private String init(String name, float[] values, long... dims) {
        inits.add(new Init(name, dims, values, null));
        return name;
    }

    private String initInts(long... values) {
        String name = "c" + (counter++);
        inits.add(new Init(name, new long[] {values.length}, null, values));
        return name;
    }

    private String scalar(float v) {
        return init("c" + (counter++), new float[] {v});
    }

    private void node(Node n) throws ImportException {
        try {
            names.put(n.output(), n.sourceOp().onnx(new Code(n)));
        } catch (UnsupportedOperationException e) {
            throw new ImportException(e.getMessage());
        }
    }

    /** This exporter's graph as one node's export writes it. */
    private final class Code implements OnnxCode {

        private final Node node;

        Code(Node node) {
            this.node = node;
        }

        @Override
        public Node node() {
            return node;
        }

        @Override
        public String input(int i) {
            return names.get(node.inputs().get(i));
        }

        @Override
        public String output() {
            return node.name().replaceAll("[^A-Za-z0-9_.]", "_");
        }

        @Override
        public String node(String op, List<String> inputs, String output, Attribute... attributes) {
            return add(op, inputs, output, attributes);
        }

        @Override
        public String namedNode(String op, String name, List<String> inputs, String output, Attribute... attributes) {
            nodes.add(new NodeSpec(op, name, inputs, List.of(output), List.of(attributes)));
            return output;
        }

        @Override
        public String temp() {
            return OnnxExporter.this.temp();
        }

        @Override
        public String scalar(float v) {
            return OnnxExporter.this.scalar(v);
        }

        @Override
        public String weight(String suffix, long... dims) {
            String name = node.name() + "." + suffix;
            return init(name, weights.get(name).data(), dims);
        }

        @Override
        public String ints(long... values) {
            return initInts(values);
        }

        @Override
        public String floats(float... values) {
            return init("c" + (counter++), values, values.length);
        }
    }
}
