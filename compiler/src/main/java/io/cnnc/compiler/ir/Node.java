package io.cnnc.compiler.ir;

import io.cnnc.compiler.ops.LaidOutOp;
import io.cnnc.compiler.ops.Op;
import io.cnnc.compiler.ops.PlanarOp;
import io.cnnc.compiler.ops.SourceOp;
import io.cnnc.dsl.Span;
import java.util.List;

/**
 * One operation applied to values. {@code name} is the stable path used for parameter
 * names ({@code stage2.0.conv1}); {@code span} is where it was written.
 */
public final class Node {

    private final int id;
    private final String name;
    private final Op op;
    private final List<Value> inputs;
    private final Span span;
    private Value output;

    Node(int id, String name, Op op, List<Value> inputs, Span span) {
        this.id = id;
        this.name = name;
        this.op = op;
        this.inputs = List.copyOf(inputs);
        this.span = span;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Op op() {
        return op;
    }

    /** The op of a source graph; training and ONNX export take source graphs only. */
    public SourceOp sourceOp() {
        if (op instanceof SourceOp s) return s;
        throw new IllegalArgumentException(name + ": " + op.type() + " exists only in optimized graphs; this takes the source network");
    }

    /** The op of a graph the inference passes optimized, before layout choice (GPU and TornadoVM targets). */
    public PlanarOp planarOp() {
        if (op instanceof PlanarOp p) return p;
        throw new IllegalStateException(name + ": " + op.type() + " does not belong in a graph optimized for inference before layout choice");
    }

    /** The op of an optimized graph after layout choice (the CPU target). */
    public LaidOutOp laidOutOp() {
        if (op instanceof LaidOutOp l) return l;
        throw new IllegalStateException(name + ": " + op.type() + " does not belong in a graph optimized for inference");
    }

    public List<Value> inputs() {
        return inputs;
    }

    public Value output() {
        return output;
    }

    public Span span() {
        return span;
    }

    public List<Shape> inputShapes() {
        return inputs.stream().map(Value::shape).toList();
    }

    /** The full parameter name of one of this node's tensors, e.g. {@code layer1.conv2.weight}. */
    public String paramName(ParamSpec spec) {
        return name + "." + spec.suffix();
    }

    public List<ParamSpec> params() {
        return op.params(inputShapes());
    }

    void setOutput(Value output) {
        this.output = output;
    }

    @Override
    public String toString() {
        return output + " = " + op + "(" + inputs + ") // " + name;
    }
}
