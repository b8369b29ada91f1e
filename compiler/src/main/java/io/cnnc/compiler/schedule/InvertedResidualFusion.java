package io.cnnc.compiler.schedule;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.ops.InvertedResidualOp;
import io.cnnc.compiler.ops.ReorderOp;
import io.cnnc.compiler.passes.Rewriter;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvWork;
import io.cnnc.kernels.cpu.conv.InvertedResidualKernel;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * After the layout choice: every chain expansion 1x1 -> depthwise -> projection 1x1 (reorders
 * between them allowed; each value read by the next layer only) that {@link InvertedResidualKernel}
 * computes becomes one {@link InvertedResidualOp} where the cost model expects it to beat the
 * three layers apart with the reorders between them. The fused block is priced as a strategy
 * is ({@link #work}), at an efficiency calibrated for the fused kernel itself. On several
 * threads it also runs alone where that is expected faster, as a conv does
 * ({@link StrategyChooser#choose}).
 */
public final class InvertedResidualFusion {

    /** One block found, with what it is expected to cost fused and apart; {@code project} null for an expansion and depthwise layer alone. */
    public record Block(Node expand, Node depthwise, Node project, List<Node> reorders, boolean blockedInput, boolean blockedOutput,
                        int threads, double fusedMs, double apartMs) {

        /** The node whose output the block computes. */
        public Node last() {
            return project != null ? project : depthwise;
        }

        /** For {@code --explain}. */
        public String reason() {
            return String.format(Locale.ROOT, "%.3f ms expected fused against %.3f for its layers apart%s", fusedMs, apartMs,
                    reorders.isEmpty() ? "" : " and " + reorders.size() + " reorder(s)");
        }
    }

    /** The laid-out graph with the blocks worth fusing fused, the choices of the rest, and every block considered. */
    public record Result(Graph graph, Map<Node, Choice> choices, List<Block> fused, List<Block> keptApart) {}

    private InvertedResidualFusion() {}

    /**
     * Times are per sample, as the strategy choice's are. {@code strategies} is {@code --strategies}:
     * naming {@link #EFFICIENCY_KEY} fuses every block the kernel computes, whatever the model
     * says; naming only conv strategies fuses none; empty leaves it to the model.
     */
    public static Result apply(LayoutChoice.Result laid, Machine machine, int threads, Set<String> strategies) {
        boolean forced = strategies.contains(EFFICIENCY_KEY);
        if (!strategies.isEmpty() && !forced) return new Result(laid.graph(), laid.choices(), List.of(), List.of());
        Graph g = laid.graph();
        Map<Value, List<Node>> readers = new HashMap<>();
        for (Node n : g.nodes()) for (Value v : n.inputs()) readers.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
        Set<Value> blocked = IrPrinter.blockedValues(g);
        CostModel model = new CostModel(machine);
        Map<String, Choice> choices = new HashMap<>();
        laid.choices().forEach((n, c) -> choices.put(n.name(), c));
        List<Block> fused = new ArrayList<>(), apart = new ArrayList<>();
        Set<Node> taken = new HashSet<>();
        for (Node a : g.nodes()) {
            if (taken.contains(a)) continue;
            Block b = block(g, a, readers, blocked, choices, model, threads);
            if (b == null) continue;
            if (forced || b.fusedMs() < b.apartMs()) {
                fused.add(b);
                taken.addAll(List.of(b.expand(), b.depthwise(), b.last()));
                taken.addAll(b.reorders());
            } else {
                apart.add(b);
            }
        }
        if (fused.isEmpty()) return new Result(g, laid.choices(), fused, apart);
        Map<Node, Block> byLast = new HashMap<>();
        for (Block b : fused) byLast.put(b.last(), b);
        Rewriter r = new Rewriter(g);
        for (Node n : g.nodes()) {
            Block b = byLast.get(n);
            if (b != null) {
                List<Value> ins = new ArrayList<>(List.of(b.expand().inputs().getFirst()));
                if (b.project() != null && ((FusedConvOp) n.op()).residual()) ins.add(n.inputs().get(1));
                r.replace(n, n.name(), new InvertedResidualOp(b.expand(), b.depthwise(), b.project(), b.blockedInput(), b.blockedOutput(), b.threads()), ins);
            } else if (!taken.contains(n)) {
                r.keep(n);
            }
        }
        Graph out = r.finish();
        Map<Node, Choice> rekeyed = new LinkedHashMap<>();
        for (Node n : out.nodes()) {
            Choice c = choices.get(n.name());
            if (c != null && n.op() instanceof FusedConvOp) rekeyed.put(n, c);
        }
        return new Result(out, rekeyed, fused, apart);
    }

    /** The block starting at {@code a}, or null where there is none the kernel computes. */
    private static Block block(Graph g, Node a, Map<Value, List<Node>> readers, Set<Value> blocked, Map<String, Choice> choices,
                               CostModel model, int threads) {
        if (!(a.op() instanceof FusedConvOp fa) || fa.residual()) return null;
        List<Node> reorders = new ArrayList<>();
        Node b = next(g, a, readers, reorders);
        if (b == null || !(b.op() instanceof FusedConvOp fb) || fb.residual()) return null;
        ConvGeometry ga = fa.conv().geometry(a.inputShapes().getFirst());
        ConvGeometry gb = fb.conv().geometry(b.inputShapes().getFirst());
        boolean blockedIn = blocked.contains(a.inputs().getFirst());
        int before = reorders.size();
        Node c = next(g, b, readers, reorders);
        ConvGeometry gc = c != null && c.op() instanceof FusedConvOp fc && !(fc.residual() && c.inputs().get(0) == c.inputs().get(1))
                ? fc.conv().geometry(c.inputShapes().getFirst()) : null;
        boolean blockedOut = blocked.contains(c != null ? c.output() : b.output());
        if (gc != null) {
            FusedConvOp fc = (FusedConvOp) c.op();
            if (fc.residual() && blocked.contains(c.inputs().get(1)) != blockedOut
                    || !InvertedResidualKernel.computes(ga, gb, gc, kind(fa), kind(fb), kind(fc), blockedIn, blockedOut)) gc = null;
        }
        if (gc == null) {
            // No projection to take: the expansion and the depthwise layer alone, their output read by whatever reads it.
            c = null;
            reorders.subList(before, reorders.size()).clear();
            blockedOut = blocked.contains(b.output());
            if (!InvertedResidualKernel.computes(ga, gb, null, kind(fa), kind(fb), null, blockedIn, blockedOut)) return null;
        }
        double apart = 0;
        for (Node n : c == null ? List.of(a, b) : List.of(a, b, c)) {
            Choice choice = choices.get(n.name());
            if (choice == null) return null;
            apart += choice.measured() != null ? choice.measured() : choice.expected();
        }
        for (Node r : reorders) apart += LayoutChoice.reorderMs(r.output().shape().size());
        double fusedHere = fusedMs(model, ga, gb, gc, threads);
        int runOn = threads;
        double fused = fusedHere;
        if (threads > 1) {
            double alone = fusedMs(model, ga, gb, gc, 1);
            if (alone < fusedHere + model.handoverMs()) {
                runOn = 1;
                fused = alone;
            }
        }
        return new Block(a, b, c, List.copyOf(reorders), blockedIn, blockedOut, runOn, fused, apart);
    }

    /** The sole reader of n's output, past at most one reorder (added to {@code reorders}); null where others read it or it is an output. */
    private static Node next(Graph g, Node n, Map<Value, List<Node>> readers, List<Node> reorders) {
        Node m = sole(g, n, readers);
        if (m != null && m.op() instanceof ReorderOp) {
            reorders.add(m);
            m = sole(g, m, readers);
        }
        return m;
    }

    private static Node sole(Graph g, Node n, Map<Value, List<Node>> readers) {
        List<Node> r = readers.getOrDefault(n.output(), List.of());
        if (r.size() != 1 || g.outputs().contains(n.output()) || r.getFirst().inputs().indexOf(n.output()) != 0) return null;
        return r.getFirst();
    }

    private static ActivationKind kind(FusedConvOp f) {
        return f.activation() == null ? ActivationKind.IDENTITY : f.activation().kind();
    }

    /** The key of the fused kernel's calibrated efficiency (bench's InvertedResidualBench measures it). */
    public static final String EFFICIENCY_KEY = "inverted-residual";

    /**
     * What the fused kernel does per sample, for the cost model: the layers' multiply-adds with
     * the lanes its 16-channel blocks pad (a planar input's channels and the projection's outputs
     * rounded up to whole blocks), and only the block's input, output and weights moved from
     * memory, since the expanded tensors stay in cache. {@code project} null: no projection, the
     * depthwise output is the block's.
     */
    public static ConvWork work(ConvGeometry expand, ConvGeometry depthwise, ConvGeometry project) {
        double in = blocks(expand.inC());
        double expandMacs = in * expand.outC() * expand.inH() * expand.inW();
        double projectMacs = project == null ? 0 : project.inC() * blocks(project.outC()) * project.inH() * project.inW();
        double useful = expand.macsPerSample() + depthwise.macsPerSample() + (project == null ? 0 : project.macsPerSample());
        double macs = expandMacs + depthwise.macsPerSample() + projectMacs;
        double out = project == null ? (double) depthwise.outC() * depthwise.outH() * depthwise.outW()
                : (double) project.outC() * project.inH() * project.inW();
        double bytes = 4.0 * ((double) expand.inC() * expand.inH() * expand.inW() + out
                + expand.weightCount() + depthwise.weightCount() + (project == null ? 0 : project.weightCount()));
        return new ConvWork(2 * macs, bytes, macs / useful, 0, "expansion, depthwise and projection in one pass over rows");
    }

    private static double blocks(int channels) {
        return (channels + Nchwc.BLOCK - 1) / Nchwc.BLOCK * Nchwc.BLOCK;
    }

    /** Per sample, at the fused kernel's own calibrated efficiency; a machine without one never fuses ({@link Efficiencies#UNCALIBRATED}). */
    static double fusedMs(CostModel model, ConvGeometry expand, ConvGeometry depthwise, ConvGeometry project, int threads) {
        return model.estimateMs(work(expand, depthwise, project), EFFICIENCY_KEY, threads);
    }
}
