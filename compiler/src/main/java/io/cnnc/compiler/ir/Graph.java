package io.cnnc.compiler.ir;

import io.cnnc.compiler.ops.Op;
import io.cnnc.dsl.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A network: named inputs, nodes in an order where every input is computed first, outputs. */
public final class Graph {

    private final String name;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private int nextId;

    public Graph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public Value addInput(String inputName, Shape shape) {
        Value v = new Value(nextId++, shape, null, inputName);
        inputs.add(v);
        return v;
    }

    /** Appends a node; its inputs must already be in the graph. */
    public Value add(String nodeName, Op op, List<Value> args, Shape outputShape, Span span) {
        Node node = new Node(nextId++, nodeName, op, args, span);
        Value out = new Value(nextId++, outputShape, node, nodeName);
        node.setOutput(out);
        nodes.add(node);
        return out;
    }

    public void setOutputs(List<Value> values) {
        outputs.clear();
        outputs.addAll(values);
    }

    /** Every tensor the weights file holds, in node order. */
    public List<NamedParam> parameters() {
        List<NamedParam> out = new ArrayList<>();
        for (Node n : nodes) {
            for (ParamSpec p : n.params()) out.add(new NamedParam(n.paramName(p), n, p));
        }
        return out;
    }

    /** Number of learned parameters (buffers such as running statistics excluded, as in PyTorch). */
    public long learnedParameterCount() {
        return parameters().stream().filter(p -> p.spec().learned()).mapToLong(p -> p.spec().size()).sum();
    }

    public record NamedParam(String name, Node node, ParamSpec spec) {}
}
