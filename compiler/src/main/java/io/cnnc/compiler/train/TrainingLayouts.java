package io.cnnc.compiler.train;

import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.BlockedTraining;
import io.cnnc.compiler.train.TrainingConvStrategies.Directions;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.cpu.train.TrainingConv;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which tensors a training step keeps channel-blocked (NCHWc, {@link Nchwc}) between nodes, with
 * their gradients. Batch norm, adds and activations compute in whatever layout their input has
 * and pass it on, so the tensors they connect form regions that take one layout together; a
 * convolution reads and writes either layout (its runner reorders where its kernels' layout
 * differs), and global pooling reads either. A region is blocked where that saves more reordered
 * elements than it costs: each blocked kernel of the convolutions at its edges (forward and data
 * gradient) counts the elements it would otherwise reorder in or out, each planar kernel there
 * (and a weight gradient that reads NCHW only) the elements it then must. Only tensors whose
 * channels fill blocks, with more than one pixel, whose every reader takes NCHWc, are candidates;
 * the network's input and output stay NCHW.
 */
public final class TrainingLayouts {

    private static final TrainingLayouts PLANAR = new TrainingLayouts(Set.of(), List.of());

    /** The blocked values, a folded ReLU's output with its producer's (they share an array). */
    private final Set<Value> blocked;
    /** One line per region considered: its tensors, its score, and the layout it got. */
    private final List<String> regions;

    private TrainingLayouts(Set<Value> blocked, List<String> regions) {
        this.blocked = blocked;
        this.regions = regions;
    }

    /** Every tensor NCHW. */
    public static TrainingLayouts planar() {
        return PLANAR;
    }

    public boolean blocked(Value v) {
        return blocked.contains(v);
    }

    /** Whether the node's first input is blocked (and, for an op that keeps its layout, its output). */
    public boolean blockedInput(Node n) {
        return !n.inputs().isEmpty() && blocked(n.inputs().getFirst());
    }

    /** The layouts of a conv node's input and output. */
    public TrainingConv.Layouts conv(Node n) {
        return new TrainingConv.Layouts(blockedInput(n), blocked(n.output()));
    }

    /** The blocked tensors, for tests: their producers' names. */
    public List<String> blockedNames(TrainingPlan plan) {
        List<String> out = new ArrayList<>();
        for (Node n : plan.graph().nodes()) if (blocked(n.output()) && plan.absorbedBy(n) == null) out.add(n.name());
        return out;
    }

    /** One line per region considered, for {@code cnnc compile --train --explain}. */
    public String explain() {
        if (regions.isEmpty()) return "layouts: every tensor NCHW (no blocked kernel, or no tensor whose readers all take " + Nchwc.NAME + ")\n";
        StringBuilder s = new StringBuilder();
        for (String r : regions) s.append(r).append('\n');
        return s.toString();
    }

    /** The layouts for {@code plan} with the convolutions' kernels {@code convs}. */
    public static TrainingLayouts choose(TrainingPlan plan, Map<Node, Directions> convs) {
        if (!Nchwc.nativeVectors()) return PLANAR;
        Map<Value, Node> producer = new HashMap<>();
        Map<Value, List<Node>> readers = new HashMap<>();
        for (Node n : plan.graph().nodes()) {
            producer.put(n.output(), n);
            for (Value v : n.inputs()) readers.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
        }
        Regions regions = new Regions();
        // A folded ReLU's output is its producer's array.
        for (Node n : plan.graph().nodes()) {
            Node into = plan.absorbedBy(n);
            if (into != null) regions.union(n.output(), into.output());
        }
        Set<Value> candidates = new LinkedHashSet<>();
        for (Node n : plan.graph().nodes()) {
            Value v = n.output();
            if (candidate(plan, convs, v, n, readers.getOrDefault(v, List.of()))) candidates.add(v);
        }
        for (Node n : plan.graph().nodes()) {
            if (n.sourceOp().blockedTraining() != BlockedTraining.SAME) continue;
            for (Value in : n.inputs()) regions.union(in, n.output());
        }
        // A region with one value that may not be blocked stays NCHW.
        Map<Value, Boolean> allowed = new HashMap<>();
        for (Node n : plan.graph().nodes()) allowed.merge(regions.find(n.output()), candidates.contains(n.output()), Boolean::logicalAnd);
        for (Value in : plan.graph().inputs()) allowed.merge(regions.find(in), false, Boolean::logicalAnd);
        Map<Value, Long> score = new LinkedHashMap<>();
        for (Node n : plan.graph().nodes()) {
            Directions d = convs.get(n);
            if (d == null) continue;
            Value in = regions.find(n.inputs().getFirst());
            Value out = regions.find(n.output());
            ConvGeometry g = d.forwardGeometry();
            long inElements = (long) g.inC() * g.inH() * g.inW();
            long outElements = (long) g.outC() * g.outH() * g.outW();
            boolean forwardBlocked = d.forward() != null && ConvStrategies.byName(d.forward().strategy()).blocked();
            boolean dataBlocked = d.data() != null && ConvStrategies.byName(d.data().strategy()).blocked();
            boolean planarData = d.dataNeeded() && d.data() == null;
            boolean planarWeights = !d.weight().readsBlocked() && !plan.frozen(n);
            score.merge(in, (forwardBlocked ? inElements : -inElements) + (dataBlocked ? inElements : planarData ? -inElements : 0)
                    + (planarWeights ? -inElements : 0), Long::sum);
            score.merge(out, (forwardBlocked ? outElements : -outElements) + (dataBlocked ? outElements : planarData ? -outElements : 0)
                    + (planarWeights ? -outElements : 0), Long::sum);
        }
        Set<Value> blocked = new LinkedHashSet<>();
        List<String> lines = new ArrayList<>();
        Map<Value, List<Node>> members = new LinkedHashMap<>();
        for (Node n : plan.graph().nodes()) {
            if (plan.absorbedBy(n) == null) members.computeIfAbsent(regions.find(n.output()), k -> new ArrayList<>()).add(n);
        }
        for (Map.Entry<Value, Long> e : score.entrySet()) {
            Value root = e.getKey();
            if (!allowed.getOrDefault(root, false) || !members.containsKey(root)) continue;
            boolean block = e.getValue() > 0;
            List<Node> nodes = members.get(root);
            lines.add(String.format(Locale.ROOT, "layout %s: %s (%+d elements a sample not reordered)", block ? Nchwc.NAME.toLowerCase(Locale.ROOT) : "nchw",
                    names(nodes), e.getValue()));
            if (block) {
                for (Node n : plan.graph().nodes()) if (regions.find(n.output()) == root) blocked.add(n.output());
            }
        }
        return new TrainingLayouts(Set.copyOf(blocked), List.copyOf(lines));
    }

    /** Whether {@code v}, produced by {@code n}, may be blocked: channels that fill blocks, several pixels, every reader taking NCHWc. */
    private static boolean candidate(TrainingPlan plan, Map<Node, Directions> convs, Value v, Node n, List<Node> readers) {
        if (plan.graph().outputs().contains(v)) return false;
        Shape s = v.shape();
        if (!Nchwc.blocks(s.c()) || s.h() * s.w() < 2) return false;
        if (!takesBlocked(n, convs) || n.sourceOp().blockedTraining() == BlockedTraining.READS) return false;
        for (Node r : readers) {
            if (plan.absorbedBy(r) != null) continue;
            if (!takesBlocked(r, convs)) return false;
            // A conv reads only its first input as a tensor; anything else (none today) stays NCHW.
            if (r.sourceOp().blockedTraining() == BlockedTraining.ANY && r.inputs().indexOf(v) != 0) return false;
        }
        return true;
    }

    /** Whether {@code n}'s bindings take NCHWc: a conv only on kernels the plan chose (im2col's reference runner is NCHW only). */
    private static boolean takesBlocked(Node n, Map<Node, Directions> convs) {
        BlockedTraining b = n.sourceOp().blockedTraining();
        return b != BlockedTraining.NONE && (b != BlockedTraining.ANY || convs.containsKey(n));
    }

    private static String names(List<Node> nodes) {
        if (nodes.size() <= 4) return String.join(", ", nodes.stream().map(Node::name).toList());
        return nodes.getFirst().name() + ", " + nodes.get(1).name() + " ... " + nodes.getLast().name() + " (" + nodes.size() + " nodes)";
    }

    /** Union-find over values. */
    private static final class Regions {
        private final Map<Value, Value> parent = new HashMap<>();

        Value find(Value v) {
            Value p = parent.getOrDefault(v, v);
            if (p == v) return v;
            Value root = find(p);
            parent.put(v, root);
            return root;
        }

        void union(Value a, Value b) {
            Value ra = find(a);
            Value rb = find(b);
            if (ra != rb) parent.put(rb, ra);
        }
    }
}
