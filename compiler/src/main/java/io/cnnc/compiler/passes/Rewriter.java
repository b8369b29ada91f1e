package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.Op;
import io.cnnc.compiler.ops.ShapeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a graph node by node into a new one, letting a pass drop a node, alias its output to
 * another value, or put a different op in its place. Values of the old graph are translated to
 * the new graph's values as the copy goes, so a pass speaks only in old values.
 */
public final class Rewriter {

    private final Graph source;
    private final Graph target;
    private final Map<Value, Value> map = new HashMap<>();

    public Rewriter(Graph source) {
        this.source = source;
        this.target = new Graph(source.name());
        for (Value in : source.inputs()) map.put(in, target.addInput(in.label(), in.shape()));
    }

    /** Copies {@code n} unchanged (its inputs translated). */
    public void keep(Node n) {
        replace(n, n.name(), n.op(), n.inputs());
    }

    /** Emits {@code op} over (old) {@code inputs} in place of {@code n}; n's output now means the new node's. */
    public void replace(Node n, String name, Op op, List<Value> inputs) {
        List<Value> args = new ArrayList<>();
        for (Value v : inputs) args.add(translate(v));
        try {
            Value out = target.add(name, op, args, op.outputShape(args.stream().map(Value::shape).toList()), n.span());
            map.put(n.output(), out);
        } catch (ShapeException e) {
            throw new IllegalStateException("pass produced an ill-shaped " + op.type() + " at " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Emits a node that has no counterpart in the source graph (a reorder, say) over values of
     * the new graph; returns its output, a value of the new graph.
     */
    public Value emit(String name, Op op, List<Value> newInputs, io.cnnc.dsl.Span span) {
        try {
            return target.add(name, op, newInputs, op.outputShape(newInputs.stream().map(Value::shape).toList()), span);
        } catch (ShapeException e) {
            throw new IllegalStateException("pass produced an ill-shaped " + op.type() + " at " + name + ": " + e.getMessage(), e);
        }
    }

    /** Emits {@code op} over values of the new graph in place of {@code n}. */
    public void replaceTranslated(Node n, String name, Op op, List<Value> newInputs) {
        map.put(n.output(), emit(name, op, newInputs, n.span()));
    }

    /** Drops {@code n}: readers of its output read {@code replacement} (an old value) instead. */
    public void alias(Node n, Value replacement) {
        map.put(n.output(), translate(replacement));
    }

    /** Drops {@code n} entirely; nothing may read its output. */
    public void drop(Node n) {}

    public Value translate(Value old) {
        Value v = map.get(old);
        if (v == null) throw new IllegalStateException("value " + old + " used before it was emitted");
        return v;
    }

    public Graph finish() {
        return finish(source.outputs().stream().map(this::translate).toList());
    }

    /** Finishes with outputs given as values of the new graph. */
    public Graph finish(List<Value> newOutputs) {
        target.setOutputs(newOutputs);
        return target;
    }
}
