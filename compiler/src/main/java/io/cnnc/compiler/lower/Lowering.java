package io.cnnc.compiler.lower;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.layers.ArgBinder;
import io.cnnc.compiler.layers.ArgBinder.Given;
import io.cnnc.compiler.layers.BoundArgs;
import io.cnnc.compiler.layers.LayerCatalog;
import io.cnnc.compiler.layers.LayerCatalog.LayerDef;
import io.cnnc.compiler.layers.Limits;
import io.cnnc.compiler.layers.Suggestions;
import io.cnnc.compiler.lower.ConstValue.IntValue;
import io.cnnc.compiler.lower.ConstValue.StringValue;
import io.cnnc.compiler.ops.AddOp;
import io.cnnc.compiler.ops.ConcatOp;
import io.cnnc.compiler.ops.MulOp;
import io.cnnc.compiler.ops.Op;
import io.cnnc.compiler.ops.ShapeException;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.Span;
import io.cnnc.dsl.ast.Ast.*;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Expands one network of the syntax tree into IR: blocks inlined, repeats unrolled, names
 * resolved, every shape inferred. Reports every error it can and keeps going past them.
 */
public final class Lowering {

    private final Diagnostics diagnostics;
    private final Map<String, BlockDecl> blocks;
    private final ConstEvaluator evaluator;
    private final Deque<BlockCall> callStack = new ArrayDeque<>();
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> expandedBlocks;
    /** Errors inside a block body are reported for the first expansion only, not once per call. */
    private final Set<String> reported = new HashSet<>();
    private Graph graph;
    private long totalParameters;
    private long steps;

    private record BlockCall(String block, Span site) {}

    /** {@code expandedBlocks} collects the names of the blocks this lowering expands. */
    public Lowering(Diagnostics diagnostics, Map<String, BlockDecl> blocks, Set<String> expandedBlocks) {
        this.expandedBlocks = expandedBlocks;
        this.diagnostics = diagnostics;
        this.blocks = blocks;
        this.evaluator = new ConstEvaluator(diagnostics);
    }

    /** The network's graph; meaningful only when no errors were reported. */
    public Graph lower(NetworkDecl network) {
        graph = new Graph(network.name());
        Frame frame = new Frame(null, Map.of(), new NameScope(""), false, null);
        if (network.body().stream().noneMatch(s -> s instanceof InputStmt)) {
            error(network.span(), "network '" + network.name() + "' has no input; start it with e.g. 'input x: [3, 224, 224]'");
            return graph;
        }
        try {
            boolean inputsDone = false;
            Map<String, Integer> later = boundLater(network.body());
            for (Stmt s : network.body()) {
                if (s instanceof InputStmt in && !inputsDone) {
                    input(in, frame);
                } else {
                    inputsDone = true;
                    statement(s, frame, later);
                }
            }
            List<Value> outputs = new ArrayList<>();
            if (frame.explicitOutput == null && frame.current != null && !frame.current.isPoisoned()) {
                outputs.add(frame.current);
            }
            if (frame.explicitOutput == null) graph.setOutputs(outputs);
        } catch (TooLarge stop) {
            // already reported: nothing more useful can be said about this network
        }
        return graph;
    }

    private void input(InputStmt in, Frame frame) {
        List<Long> d = in.shape();
        if (d.size() != 1 && d.size() != 3) {
            error(in.shapeSpan(), "input shape must be [C, H, W] (or [features]) without the batch dimension, got "
                    + d.size() + " dimensions");
            frame.values.put(in.name(), Value.poisoned());
            return;
        }
        for (long x : d) {
            if (x < 1 || x > Limits.MAX_DIMENSION) {
                error(in.shapeSpan(), "input dimension " + x + " must be between 1 and " + Limits.MAX_DIMENSION);
                frame.values.put(in.name(), Value.poisoned());
                return;
            }
        }
        Shape shape = d.size() == 1 ? new Shape(d.getFirst().intValue(), 1, 1)
                : new Shape(d.get(0).intValue(), d.get(1).intValue(), d.get(2).intValue());
        if (shape.size() > Limits.MAX_TENSOR_ELEMENTS) {
            error(in.shapeSpan(), "input " + shape + " has " + shape.size() + " elements per sample; the limit is "
                    + Limits.MAX_TENSOR_ELEMENTS);
            frame.values.put(in.name(), Value.poisoned());
            return;
        }
        checkBindable(in.name(), in.span());
        if (frame.values.containsKey(in.name())) error(in.span(), "input '" + in.name() + "' is declared twice");
        Value v = graph.addInput(in.name(), shape);
        frame.values.put(in.name(), v);
        if (frame.current == null) frame.current = v;
    }

    /** Names bound somewhere in a body, so a use before the binding can be reported as such. */
    private static Map<String, Integer> boundLater(List<Stmt> body) {
        Map<String, Integer> out = new HashMap<>();
        for (Stmt s : body) if (s instanceof BindStmt b) out.putIfAbsent(b.name(), b.span().line());
        return out;
    }

    private void statement(Stmt s, Frame frame, Map<String, Integer> later) {
        if (++steps > Limits.MAX_EXPANSION_STEPS) {
            error(s.span(), "the network expands to more than " + Limits.MAX_EXPANSION_STEPS + " statements (limit)");
            throw new TooLarge();
        }
        switch (s) {
            case InputStmt in -> error(in.span(), frame.inBlock ? "'input' is only allowed in a network, not in a block"
                    : "inputs must come first in a network, before any layer");
            case BindStmt b -> {
                checkBindable(b.name(), b.span());
                Value v = expr(b.value(), frame, later);
                frame.values.put(b.name(), v);
                frame.current = v;
            }
            case ChainStmt c -> frame.current = expr(c.value(), frame, later);
            case RepeatStmt r -> repeat(r, frame, later);
            case OutputStmt o -> output(o, frame, later);
        }
    }

    private void repeat(RepeatStmt r, Frame frame, Map<String, Integer> later) {
        ConstValue count = evaluator.eval(r.count(), frame.env);
        if (count == null) return;
        if (!(count instanceof IntValue(long n)) || n < 0) {
            error(r.count().span(), "repeat count must be a non-negative integer, got " + count.describe());
            return;
        }
        if (n > Limits.MAX_REPEAT) {
            error(r.count().span(), "repeat count " + n + " is past the limit of " + Limits.MAX_REPEAT);
            return;
        }
        Map<String, Integer> bodyLater = r.body() == null ? later : boundLater(r.body());
        for (long i = 0; i < n; i++) {
            NameScope scope = frame.names.iteration();
            if (r.call() != null) {
                frame.current = applyCall(r.call(), frame.current, frame, scope);
            } else {
                Frame child = new Frame(frame, frame.env, scope, frame.inBlock, frame.current);
                for (Stmt s : r.body()) statement(s, child, bodyLater);
                frame.current = child.current;
            }
            if (diagnostics.count() > 0 && frame.current != null && frame.current.isPoisoned()) break;
        }
    }

    private void output(OutputStmt o, Frame frame, Map<String, Integer> later) {
        List<Value> values = new ArrayList<>();
        if (o.names().isEmpty()) {
            if (frame.current != null) values.add(frame.current);
        }
        for (Ident id : o.names()) {
            Value v = frame.lookup(id.name());
            if (v == null) {
                unboundName(id.name(), id.span(), frame, later);
                v = Value.poisoned();
            }
            values.add(v);
        }
        if (frame.inBlock) {
            if (values.size() != 1) {
                error(o.span(), "a block has one output; got " + values.size());
                return;
            }
            frame.explicitOutput = values.getFirst();
            frame.current = values.getFirst();
            return;
        }
        frame.explicitOutput = values.isEmpty() ? Value.poisoned() : values.getFirst();
        if (values.stream().noneMatch(Value::isPoisoned)) graph.setOutputs(values);
    }

    private Value expr(Expr e, Frame frame, Map<String, Integer> later) {
        return switch (e) {
            case CallExpr c -> {
                Call call = c.call();
                Value bound = call.parenthesized() ? null : frame.lookup(call.name());
                if (bound != null) yield bound;
                if ("in".equals(call.name()) && !call.parenthesized()) {
                    error(call.span(), "'in' is the input of a block and means nothing in a network");
                    yield Value.poisoned();
                }
                if (!call.parenthesized() && later.containsKey(call.name())
                        && LayerCatalog.find(call.name()) == null && !blocks.containsKey(call.name())) {
                    unboundName(call.name(), call.span(), frame, later);
                    yield Value.poisoned();
                }
                yield applyCall(call, frame.current, frame, frame.names);
            }
            case Chain ch -> {
                Value v = expr(ch.head(), frame, later);
                for (Call call : ch.calls()) {
                    if (!call.parenthesized() && frame.lookup(call.name()) != null
                            && LayerCatalog.find(call.name()) == null && !blocks.containsKey(call.name())) {
                        error(call.span(), "'" + call.name() + "' is a value; after '->' comes a layer or a block");
                        v = Value.poisoned();
                        continue;
                    }
                    v = applyCall(call, v, frame, frame.names);
                }
                yield v;
            }
            case Sum sum -> {
                Value acc = expr(sum.terms().getFirst(), frame, later);
                for (int i = 1; i < sum.terms().size(); i++) {
                    Value next = expr(sum.terms().get(i), frame, later);
                    acc = node(new AddOp(), List.of(acc, next), frame.names.layer("add", null), sum.operators().get(i - 1));
                }
                yield acc;
            }
            case Product p -> {
                Value acc = expr(p.factors().getFirst(), frame, later);
                for (int i = 1; i < p.factors().size(); i++) {
                    Value next = expr(p.factors().get(i), frame, later);
                    acc = node(new MulOp(), List.of(acc, next), frame.names.layer("mul", null), p.operators().get(i - 1));
                }
                yield acc;
            }
            case Concat c -> {
                List<Value> parts = new ArrayList<>();
                for (Expr part : c.parts()) parts.add(expr(part, frame, later));
                yield node(new ConcatOp(), parts, frame.names.layer("concat", null), c.span());
            }
        };
    }

    /** Applies a layer or block named by {@code call} to {@code input}. */
    private Value applyCall(Call call, Value input, Frame frame, NameScope scope) {
        LayerDef layer = LayerCatalog.find(call.name());
        if (layer == null && !blocks.containsKey(call.name())) {
            List<String> candidates = new ArrayList<>(LayerCatalog.allNames());
            candidates.addAll(blocks.keySet());
            error(call.span(), "unknown layer or block '" + call.name() + "'" + Suggestions.didYouMean(call.name(), candidates));
            evalArgs(call, frame); // still report errors inside the arguments
            return Value.poisoned();
        }
        if (input == null) input = Value.poisoned();
        return layer != null ? applyLayer(layer, call, input, frame, scope) : expandBlock(call, input, frame, scope);
    }

    private List<Given> evalArgs(Call call, Frame frame) {
        List<Given> given = new ArrayList<>();
        for (Arg a : call.args()) given.add(new Given(a.name(), evaluator.eval(a.value(), frame.env), a.span()));
        return given;
    }

    private Value applyLayer(LayerDef layer, Call call, Value input, Frame frame, NameScope scope) {
        List<Given> given = evalArgs(call, frame);
        String override = takeName(given);
        BoundArgs args = ArgBinder.bind(call.name(), call.span(), layer.signature(), given, diagnostics);
        if (args == null || input.isPoisoned()) return Value.poisoned();
        Op op;
        try {
            op = layer.factory().create(args, input.shape());
        } catch (ShapeException e) {
            error(call.span(), call.name() + ": " + e.getMessage());
            return Value.poisoned();
        } catch (ArithmeticException e) {
            error(call.span(), call.name() + ": sizes overflow");
            return Value.poisoned();
        }
        return node(op, List.of(input), scope.layer(op.type(), override), call.span(), call.name() + ": ");
    }

    /** Removes a {@code name="..."} argument, which every call accepts, and returns its value. */
    private String takeName(List<Given> given) {
        for (int i = 0; i < given.size(); i++) {
            Given g = given.get(i);
            if ("name".equals(g.name())) {
                given.remove(i);
                if (g.value() instanceof StringValue(String s) && s.matches("[A-Za-z_][A-Za-z0-9_]*")) return s;
                error(g.span(), "name must be a string that is a valid name, e.g. name=\"stem\"");
                return null;
            }
        }
        return null;
    }

    private Value expandBlock(Call call, Value input, Frame frame, NameScope scope) {
        BlockDecl block = blocks.get(call.name());
        expandedBlocks.add(block.name());
        for (BlockCall active : callStack) {
            if (active.block().equals(block.name())) {
                StringBuilder cycle = new StringBuilder();
                boolean on = false;
                for (var it = callStack.descendingIterator(); it.hasNext(); ) {
                    BlockCall c = it.next();
                    if (c.block().equals(block.name())) on = true;
                    if (on) cycle.append(c.block()).append(" -> ");
                }
                error(call.span(), "recursion among blocks: " + cycle + block.name());
                return Value.poisoned();
            }
        }
        if (callStack.size() >= Limits.MAX_BLOCK_DEPTH) {
            error(call.span(), "blocks nest deeper than " + Limits.MAX_BLOCK_DEPTH + " levels");
            return Value.poisoned();
        }
        List<Given> given = evalArgs(call, frame);
        String override = takeName(given);
        Map<String, ConstValue> env = bindBlockArgs(block, call, given);
        if (env == null || input.isPoisoned()) return Value.poisoned();
        NameScope inner = scope == frame.names ? scope.block(block.name(), override) : scope;
        Frame body = new Frame(null, env, inner, true, input);
        body.values.put("in", input);
        callStack.push(new BlockCall(block.name(), call.span()));
        try {
            Map<String, Integer> later = boundLater(block.body());
            for (Stmt s : block.body()) statement(s, body, later);
        } finally {
            callStack.pop();
        }
        return body.explicitOutput != null ? body.explicitOutput : body.current;
    }

    private Map<String, ConstValue> bindBlockArgs(BlockDecl block, Call call, List<Given> given) {
        Map<String, ConstValue> env = new LinkedHashMap<>();
        boolean ok = true;
        int position = 0;
        for (Given g : given) {
            Param p;
            if (g.name() == null) {
                if (position >= block.params().size()) {
                    error(g.span(), "block '" + block.name() + "' takes " + block.params().size() + " argument"
                            + (block.params().size() == 1 ? "" : "s"));
                    ok = false;
                    continue;
                }
                p = block.params().get(position++);
            } else {
                p = block.params().stream().filter(x -> x.name().equals(g.name())).findFirst().orElse(null);
                if (p == null) {
                    error(g.span(), "unknown argument '" + g.name() + "' for block '" + block.name() + "'"
                            + Suggestions.didYouMean(g.name(), block.params().stream().map(Param::name).toList()));
                    ok = false;
                    continue;
                }
            }
            if (env.containsKey(p.name())) {
                error(g.span(), "argument '" + p.name() + "' given twice");
                ok = false;
                continue;
            }
            if (g.value() == null) ok = false;
            else env.put(p.name(), g.value());
        }
        for (Param p : block.params()) {
            if (env.containsKey(p.name())) continue;
            if (p.defaultValue() == null) {
                if (ok) error(call.span(), "block '" + block.name() + "' needs argument '" + p.name() + "'");
                ok = false;
            } else {
                ConstValue v = evaluator.eval(p.defaultValue(), env);
                if (v == null) ok = false;
                else env.put(p.name(), v);
            }
        }
        return ok ? env : null;
    }

    private Value node(Op op, List<Value> inputs, String name, Span span) {
        return node(op, inputs, name, span, "");
    }

    /** Adds a node after checking shapes and limits; {@code context} prefixes shape errors ("conv: "). */
    private Value node(Op op, List<Value> inputs, String name, Span span, String context) {
        for (Value v : inputs) if (v == null || v.isPoisoned()) return Value.poisoned();
        List<Shape> shapes = inputs.stream().map(Value::shape).toList();
        Shape out;
        try {
            out = op.outputShape(shapes);
        } catch (ShapeException e) {
            error(span, context + e.getMessage());
            return Value.poisoned();
        } catch (ArithmeticException e) {
            error(span, op.type() + ": sizes overflow");
            return Value.poisoned();
        }
        if (out.size() > Limits.MAX_TENSOR_ELEMENTS || out.c() > Limits.MAX_DIMENSION) {
            error(span, op.type() + " output " + out + " has " + out.size() + " elements per sample; the limit is "
                    + Limits.MAX_TENSOR_ELEMENTS);
            return Value.poisoned();
        }
        for (ParamSpec p : op.params(shapes)) {
            if (p.size() > Limits.MAX_TENSOR_ELEMENTS) {
                error(span, op.type() + " " + p.suffix() + " " + java.util.Arrays.toString(p.dims()) + " has " + p.size()
                        + " elements; the limit is " + Limits.MAX_TENSOR_ELEMENTS);
                return Value.poisoned();
            }
            if (p.learned()) totalParameters += p.size();
        }
        if (totalParameters > Limits.MAX_TOTAL_PARAMETERS) {
            error(span, "the network has more than " + Limits.MAX_TOTAL_PARAMETERS + " parameters (limit)");
            throw new TooLarge();
        }
        if (graph.nodes().size() >= Limits.MAX_NODES) {
            error(span, "the network expands to more than " + Limits.MAX_NODES + " layers (limit)");
            throw new TooLarge();
        }
        if (!usedNames.add(name)) {
            error(span, "layer name '" + name + "' is already used in this scope; choose another name=\"...\"");
            return Value.poisoned();
        }
        return graph.add(name, op, inputs, out, span);
    }

    private void checkBindable(String name, Span span) {
        if (name.equals("in")) error(span, "'in' is reserved for a block's input");
        else if (LayerCatalog.find(name) != null) error(span, "value name '" + name + "' shadows the layer '" + name + "'");
        else if (blocks.containsKey(name)) error(span, "value name '" + name + "' shadows the block '" + name + "'");
    }

    private void unboundName(String name, Span span, Frame frame, Map<String, Integer> later) {
        Integer line = later.get(name);
        if (line != null) error(span, "'" + name + "' is used before it is bound (it is bound on line " + line + ")");
        else error(span, "unknown value '" + name + "'");
    }

    /** Reports an error; inside block expansions, says which call led there (once per place). */
    private void error(Span span, String message) {
        if (!reported.add(span + message)) return;
        if (!callStack.isEmpty()) {
            BlockCall site = callStack.peekLast();
            message += " (in block '" + callStack.peek().block() + "', expanded from line " + site.site().line()
                    + ":" + site.site().column() + ")";
        }
        diagnostics.error(span, message);
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }
}
