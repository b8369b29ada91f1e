package io.cnnc.compiler.train;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Graph.NamedParam;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.ActivationOp;
import io.cnnc.kernels.ActivationKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What one training step computes, derived from a network's forward graph: every node forward in
 * training mode, then the gradient rules in reverse order, only where a gradient reaches a learned
 * parameter that is not frozen, and only into the inputs that lead to one. A frozen backbone
 * (fine-tuning a head) gets no backward at all; the first conv computes no input gradient.
 */
public final class TrainingPlan {

    /** One node's backward: which of its inputs get a gradient, and whether its own parameters do. */
    public record Backward(Node node, List<Boolean> inputGradients, boolean parameterGradients) {
        public boolean inputGradient(int i) {
            return inputGradients.get(i);
        }
    }

    private final Graph graph;
    private final Set<String> frozen;
    private final List<Backward> backward;
    private final List<NamedParam> updated;
    /** ReLU nodes folded into the node before them, which computes them in its own passes (SourceOp.absorbsRelu). */
    private final Map<Node, Node> absorbedBy;
    /** How the updated tensors are stepped; null in a plan derived without one (its caller steps them). */
    private final UpdateRule rule;
    /** {@link #absorbedBy} the other way: producer to the ReLU folded into it. */
    private final Map<Node, Node> foldedRelus = new HashMap<>();

    private TrainingPlan(Graph graph, Set<String> frozen, List<Backward> backward, List<NamedParam> updated, Map<Node, Node> absorbedBy,
                         UpdateRule rule) {
        this.graph = graph;
        this.frozen = frozen;
        this.backward = backward;
        this.updated = updated;
        this.absorbedBy = absorbedBy;
        this.rule = rule;
        absorbedBy.forEach((relu, into) -> foldedRelus.put(into, relu));
    }

    /** The plan for {@code graph} with the layers named in {@code frozen} kept fixed, each updated tensor stepped by {@code rule}. */
    public static TrainingPlan derive(Graph graph, Set<String> frozen, UpdateRule rule) {
        TrainingPlan p = derive(graph, frozen);
        return new TrainingPlan(p.graph, p.frozen, p.backward, p.updated, p.absorbedBy, rule);
    }

    /**
     * The layers {@code --freeze LAYER} keeps fixed: every node up to and including the last one
     * named LAYER or inside a block of that name (LAYER.*), in graph order. Throws
     * IllegalArgumentException naming the network where no layer has that name.
     */
    public static Set<String> frozenUpTo(Graph graph, String layer) {
        int last = -1;
        for (int i = 0; i < graph.nodes().size(); i++) {
            String name = graph.nodes().get(i).name();
            if (name.equals(layer) || name.startsWith(layer + ".")) last = i;
        }
        if (last < 0) throw new IllegalArgumentException("no layer named '" + layer + "' in " + graph.name() + " (see cnnc info)");
        Set<String> frozen = new java.util.LinkedHashSet<>();
        for (int i = 0; i <= last; i++) frozen.add(graph.nodes().get(i).name());
        return frozen;
    }

    /**
     * Throws IllegalArgumentException unless {@code graph} can be trained: one input, one output,
     * and a source graph (an optimized one fails on its first fused node, before any work).
     */
    public static void requireTrainable(Graph graph) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("training needs a network with one input and one output");
        }
        for (Node n : graph.nodes()) n.sourceOp();
    }

    /** A zeroed gradient array for each tensor the plan updates, by name. */
    public Map<String, float[]> newGradients() {
        Map<String, float[]> grads = new HashMap<>();
        for (NamedParam p : updated) grads.put(p.name(), new float[Math.toIntExact(p.spec().size())]);
        return grads;
    }

    /** The update rule, or null where the plan was derived without one. */
    public UpdateRule rule() {
        return rule;
    }

    /** The plan for {@code graph} with the layers named in {@code frozen} kept fixed, without an update rule. */
    public static TrainingPlan derive(Graph graph, Set<String> frozen) {
        return derive(graph, frozen, Set.of());
    }

    /**
     * The backward pass to the network's input, every layer fixed (as it runs when evaluating:
     * batch norm on its running statistics): what a saliency map or an effective receptive field
     * differentiates. No parameter gets a gradient; the input does.
     */
    public static TrainingPlan towardsInput(Graph graph) {
        Set<String> all = new java.util.LinkedHashSet<>();
        for (Node n : graph.nodes()) all.add(n.name());
        return derive(graph, all, Set.copyOf(graph.inputs()));
    }

    private static TrainingPlan derive(Graph graph, Set<String> frozen, Set<Value> wanted) {
        List<NamedParam> updated = graph.parameters().stream()
                .filter(p -> p.spec().learned() && !frozen.contains(p.node().name())).toList();
        Set<Node> learning = new HashSet<>();
        for (NamedParam p : updated) learning.add(p.node());
        // Values a gradient must reach: those computed from a learning node or a wanted value (nodes come in topological order).
        Set<Value> leadsToLearning = new HashSet<>(wanted);
        for (Node n : graph.nodes()) {
            if (learning.contains(n) || n.inputs().stream().anyMatch(leadsToLearning::contains)) leadsToLearning.add(n.output());
        }
        // Values the loss depends on: a gradient flows back only from the outputs.
        Set<Value> reachesOutput = new HashSet<>(graph.outputs());
        List<Backward> steps = new ArrayList<>();
        List<Node> nodes = graph.nodes();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node n = nodes.get(k);
            if (!reachesOutput.contains(n.output()) || !leadsToLearning.contains(n.output())) continue;
            List<Boolean> inputs = n.inputs().stream().map(leadsToLearning::contains).toList();
            steps.add(new Backward(n, inputs, learning.contains(n)));
            for (int i = 0; i < inputs.size(); i++) if (inputs.get(i)) reachesOutput.add(n.inputs().get(i));
        }
        return new TrainingPlan(graph, Set.copyOf(frozen), List.copyOf(steps), updated, absorbedReLUs(graph), null);
    }

    /**
     * Each ReLU whose input is the output of a node that absorbs one (batch norm, an add, a conv) and
     * that nothing else reads, and each ReLU6 after a node that absorbs those (batch norm): the
     * activation's forward and backward then cost no pass of their own.
     */
    private static Map<Node, Node> absorbedReLUs(Graph graph) {
        Map<Value, Node> producer = new HashMap<>();
        Map<Value, Integer> readers = new HashMap<>();
        for (Node n : graph.nodes()) {
            producer.put(n.output(), n);
            for (Value v : n.inputs()) readers.merge(v, 1, Integer::sum);
        }
        Map<Node, Node> out = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (!(n.sourceOp() instanceof ActivationOp a) || n.inputs().size() != 1) continue;
            if (a.kind() != ActivationKind.RELU && a.kind() != ActivationKind.RELU6) continue;
            Value in = n.inputs().getFirst();
            Node p = producer.get(in);
            // Nor a ReLU that is a network output: its gradient is the caller's array, which a conv would mask in place.
            if (p == null || readers.get(in) != 1 || graph.outputs().contains(in) || graph.outputs().contains(n.output())) continue;
            if (a.kind() == ActivationKind.RELU ? !p.sourceOp().absorbsRelu() : !p.sourceOp().absorbsRelu6()) continue;
            out.put(n, p);
        }
        return Map.copyOf(out);
    }

    /** The node a ReLU node is folded into, or null where it runs on its own. */
    public Node absorbedBy(Node relu) {
        return absorbedBy.get(relu);
    }

    /** Whether {@code n} computes the ReLU after it. */
    public boolean absorbsRelu(Node n) {
        return foldedRelu(n) != null;
    }

    /** The ReLU node folded into {@code n}, or null. */
    public Node foldedRelu(Node n) {
        return foldedRelus.get(n);
    }

    /** The upper clamp of the ReLU folded into {@code n}: 6 for a ReLU6, infinity for a ReLU (or none). */
    public float reluCeiling(Node n) {
        Node relu = foldedRelus.get(n);
        return relu != null && ((ActivationOp) relu.sourceOp()).kind() == ActivationKind.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    }

    public Graph graph() {
        return graph;
    }

    /** The backward steps in the order they run (output to input). */
    public List<Backward> backward() {
        return backward;
    }

    /** The parameters the optimizer updates, in the graph's order. */
    public List<NamedParam> updated() {
        return updated;
    }

    public boolean frozen(Node n) {
        return frozen.contains(n.name());
    }

    /** The names of the frozen layers. */
    public Set<String> frozen() {
        return frozen;
    }

    /**
     * A stable text form: {@code fold relu1 (relu) into bn1} per absorbed ReLU, then one line per
     * step: {@code backward conv2 (conv) d[%3] params} names the inputs that get a gradient and
     * whether the node's parameters do; last the update, with its rule where the plan has one.
     */
    public String print() {
        StringBuilder s = new StringBuilder("training ").append(graph.name()).append(": ").append(graph.nodes().size())
                .append(" nodes forward, ").append(backward.size()).append(" backward, ").append(updated.size())
                .append(" tensors updated\n");
        for (Node n : graph.nodes()) {
            Node into = absorbedBy.get(n);
            if (into != null) s.append("fold ").append(n.name()).append(" (").append(n.op().type()).append(") into ").append(into.name()).append('\n');
        }
        for (Backward b : backward) {
            StringJoiner d = new StringJoiner(", ", "d[", "]");
            for (int i = 0; i < b.inputGradients().size(); i++) if (b.inputGradient(i)) d.add(b.node().inputs().get(i).toString());
            s.append("backward ").append(b.node().name()).append(" (").append(b.node().op().type()).append(')');
            if (d.length() > 3) s.append(' ').append(d);
            if (b.parameterGradients()) s.append(" params");
            s.append('\n');
        }
        StringJoiner u = new StringJoiner(" ");
        for (NamedParam p : updated) u.add(p.name());
        s.append("update ");
        if (rule != null) s.append(rule.print()).append(": ");
        return s.append(u.length() == 0 ? "(nothing)" : u.toString()).append('\n').toString();
    }
}
