package io.cnnc.compiler.train;

import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.ConvOp;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.CostModel;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.StrategyChooser;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.DepthwiseDataGradient;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.DataGradientConv;
import io.cnnc.kernels.cpu.conv.PhaseDataGradient;
import io.cnnc.kernels.cpu.conv.WeightGradientForm;
import io.cnnc.kernels.cpu.train.TrainingConv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * The strategy of each convolution a training step runs, by the inference cost model: the
 * forward, and the data gradient where it is a convolution of dy ({@link DataGradientConv});
 * the weight gradient in one of its {@link WeightGradientForm}s; the data gradient of a strided
 * conv as one convolution per phase ({@link PhaseDataGradient}), or im2col, GEMM and col2im
 * where the phases do not apply (dilation). A kernel whose layout differs from its tensors' in the
 * step ({@link TrainingLayouts}) runs between reorders and is charged for them ({@link #reorders}); Winograd is a candidate, its error in the gradients measured in
 * docs/training.md.
 */
public final class TrainingConvStrategies {

    private TrainingConvStrategies() {}

    /**
     * A conv node's choices; {@code data} is null where its data gradient is not needed
     * ({@code dataNeeded} false) or is not one convolution: then a strided conv's runs as one
     * stride-1 convolution per phase of dx ({@code phases}, with {@code phaseChoices}, null for a
     * phase no tap reaches), or else on im2col and col2im ({@code phases} null).
     */
    public record Directions(ConvGeometry forwardGeometry, Choice forward, boolean dataNeeded, ConvGeometry dataGeometry, Choice data,
                             WeightGradientForm weight, List<PhaseDataGradient.Phase> phases, List<Choice> phaseChoices, boolean depthwiseData) {

        /** Without the depthwise data gradient. */
        public Directions(ConvGeometry forwardGeometry, Choice forward, boolean dataNeeded, ConvGeometry dataGeometry, Choice data,
                          WeightGradientForm weight, List<PhaseDataGradient.Phase> phases, List<Choice> phaseChoices) {
            this(forwardGeometry, forward, dataNeeded, dataGeometry, data, weight, phases, phaseChoices, false);
        }

        /** Without phases. */
        public Directions(ConvGeometry forwardGeometry, Choice forward, boolean dataNeeded, ConvGeometry dataGeometry, Choice data,
                          WeightGradientForm weight) {
            this(forwardGeometry, forward, dataNeeded, dataGeometry, data, weight, null, null);
        }

        /** The kernel that runs these choices; {@code slices} is shared by a step's convolutions. */
        public TrainingConv runner(TrainingConv.Slices slices) {
            return new TrainingConv(run(forward), run(data), dataGeometry, weight, phases, phaseRuns(), depthwiseData, slices);
        }

        /** Each phase's run, null where no tap reaches the phase; null without phases. */
        public List<TrainingConv.Run> phaseRuns() {
            return phaseChoices == null ? null : phaseChoices.stream().map(Directions::run).toList();
        }

        public static TrainingConv.Run run(Choice c) {
            return c == null ? null : new TrainingConv.Run(c.strategy(), c.threads());
        }
    }

    /**
     * Whether training may run {@code name} on {@code g}: a planar strategy, or a blocked one
     * whose output fills channel blocks (the runner reorders around it; an input that does not
     * fill them a blocked kernel reads as NCHW).
     */
    public static boolean allowed(String name, ConvGeometry g) {
        ConvStrategy s = ConvStrategies.byName(name);
        return !s.blocked() || Nchwc.blocks(g.outC());
    }

    public static Map<Node, Directions> choose(TrainingPlan plan, Machine machine, int threads) {
        return choose(plan, machine, threads, name -> true);
    }

    /**
     * The choices among the strategies {@code wanted} keeps (e.g. none of the approximate ones,
     * for {@code --no-winograd}); a layer none of them computes falls back to all. Chosen twice:
     * first for NCHW tensors throughout, then for the layouts ({@link TrainingLayouts}) those
     * choices lead to, each kernel charged for the reorders between its layout and its tensors'.
     */
    public static Map<Node, Directions> choose(TrainingPlan plan, Machine machine, int threads, Predicate<String> wanted) {
        Map<Node, Directions> planar = choose(plan, machine, threads, wanted, TrainingLayouts.planar());
        return choose(plan, machine, threads, wanted, TrainingLayouts.choose(plan, planar));
    }

    /** The choices for tensors laid out as {@code layouts} says. */
    public static Map<Node, Directions> choose(TrainingPlan plan, Machine machine, int threads, Predicate<String> wanted, TrainingLayouts layouts) {
        // One thread: each thread runs its own kernel on a slice of the batch.
        BiFunction<ConvGeometry, TrainingConv.Layouts, Choice> chooser = (g, l) -> new StrategyChooser(machine, 1,
                name -> wanted.test(name) && allowed(name, g)).charging((s, geometry) -> reorders(s, geometry, l, machine)).choose(g);
        Map<Node, Boolean> dataGradient = new LinkedHashMap<>();
        for (TrainingPlan.Backward b : plan.backward()) dataGradient.put(b.node(), b.inputGradient(0));
        Map<Node, Directions> out = new LinkedHashMap<>();
        for (Node n : plan.graph().nodes()) {
            if (!(n.sourceOp() instanceof ConvOp conv)) continue;
            ConvGeometry g = conv.geometry(n.inputShapes().getFirst());
            TrainingConv.Layouts l = layouts.conv(n);
            boolean needed = dataGradient.getOrDefault(n, false);
            ConvGeometry d = needed && DataGradientConv.applies(g) ? DataGradientConv.geometry(g) : null;
            // A strided depthwise layer's taps go straight into the input's stride phases: by phases, its four convolutions of a
            // few taps each took MobileNetV2's three strided depthwise layers 39, 32 and 45 ms a step at batch 128, this 19, 8 and 10 (Zen 5).
            boolean depthwise = needed && d == null && DepthwiseDataGradient.applies(g);
            List<PhaseDataGradient.Phase> phases = needed && d == null && !depthwise && PhaseDataGradient.applies(g) ? PhaseDataGradient.phases(g) : null;
            List<Choice> phaseChoices = null;
            if (phases != null) {
                // The phases run on NCHW copies of blocked tensors: their own kernels see NCHW.
                phaseChoices = new ArrayList<>();
                for (PhaseDataGradient.Phase p : phases) {
                    phaseChoices.add(p.geometry() == null ? null : onAll(chooser.apply(p.geometry(), TrainingConv.Layouts.PLANAR), threads));
                }
            }
            // The data gradient reads dy in the output's layout and writes dx in the input's.
            Choice data = d == null ? null : onAll(chooser.apply(d, new TrainingConv.Layouts(l.output(), l.input())), threads);
            out.put(n, new Directions(g, onAll(chooser.apply(g, l), threads), needed, d, data, weightGradient(g), phases, phaseChoices, depthwise));
        }
        return out;
    }

    /**
     * What a kernel costs a training step beyond itself, per sample: the elements of its input and
     * output whose layout in the step differs from the kernel's own, reordered at the machine's
     * figure. A planar kernel on NCHW tensors, or a blocked one on blocked tensors, costs nothing;
     * a blocked kernel on an NCHW input whose channels do not fill blocks copies its slice of it.
     */
    static CostModel.Estimate reorders(ConvStrategy s, ConvGeometry g, TrainingConv.Layouts layouts, Machine machine) {
        boolean kernelIn = s.blocked() && Nchwc.blocks(g.inC());
        boolean inMatches = kernelIn == layouts.input() && (kernelIn || !s.blocked());
        long elements = (inMatches ? 0 : (long) g.inC() * g.inH() * g.inW()) + (s.blocked() == layouts.output() ? 0 : (long) g.outC() * g.outH() * g.outW());
        if (elements == 0) return null;
        double ms = elements * machine.reorderNanosPerElement() * 1e-6;
        String tensors = layouts.input() || layouts.output() ? "where the step's layout differs" : "the step keeps them NCHW";
        return new CostModel.Estimate(ms, String.format(Locale.ROOT, "+%.4f ms reordering its input and output (%s)", ms, tensors));
    }

    /**
     * Channels last wherever it computes the layer: at batch 128 it ran 1.1x (16 channels at
     * 32x32) to 3x (64 at 8x8) the lane-partial form's speed on ResNet-20's layers (Zen 5,
     * docs/training.md); depthwise layers their own form (1.2x at 96 channels of 32x32 to 8x at
     * 144 of 16x16, MobileNetV2's, batch 128); the lane-partial form keeps other grouped layers
     * and inputs of few channels.
     */
    static WeightGradientForm weightGradient(ConvGeometry g) {
        if (WeightGradientForm.DEPTHWISE.applies(g)) return WeightGradientForm.DEPTHWISE;
        return WeightGradientForm.CHANNELS_LAST.applies(g) ? WeightGradientForm.CHANNELS_LAST : WeightGradientForm.LANE_PARTIAL;
    }

    /**
     * The choice on every thread: the chooser keeps a small layer on one core where a single
     * sample would not pay for the hand-over, but a training batch has work for all of them.
     */
    private static Choice onAll(Choice c, int threads) {
        return c.threads() == threads ? c : new Choice(c.strategy(), threads, c.reason(), c.expectedMs(), c.measuredMs());
    }

    /** One line per conv: the strategies of its three convolutions, with the cost model's time per sample where it chose. */
    public static String print(Map<Node, Directions> choices) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<Node, Directions> e : choices.entrySet()) {
            Directions d = e.getValue();
            s.append(String.format(Locale.ROOT, "conv %s: forward %s (%.3f ms)", e.getKey().name(), d.forward().strategy(), d.forward().expected()));
            if (d.data() != null) s.append(String.format(Locale.ROOT, ", data gradient %s (%.3f ms)", d.data().strategy(), d.data().expected()));
            else if (d.depthwiseData()) s.append(", data gradient depthwise into stride phases");
            else if (d.phases() != null) s.append(", data gradient by phases ").append(phaseSummary(d));
            else if (d.dataNeeded()) s.append(", data gradient im2col-col2im (not a stride-1 convolution)");
            s.append(", weight gradient ").append(d.weight().label()).append('\n');
        }
        return s.toString();
    }

    /**
     * {@code --explain}: per conv its geometry, then each of its three convolutions on a line: the
     * strategy, the cost model's time per sample and reason, and the next candidates; the weight
     * gradient's form and why.
     */
    public static String explain(Map<Node, Directions> choices) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<Node, Directions> e : choices.entrySet()) {
            Directions d = e.getValue();
            ConvGeometry g = d.forwardGeometry();
            s.append("conv ").append(e.getKey().name()).append(": ").append(describe(g)).append('\n');
            s.append("  forward: ").append(explain(d.forward())).append('\n');
            if (d.data() != null) {
                s.append("  data gradient, dy convolved with the flipped, transposed filter (").append(describe(d.dataGeometry())).append("): ")
                        .append(explain(d.data())).append('\n');
            } else if (d.depthwiseData()) {
                s.append("  data gradient: depthwise, each tap's weight times dy added into the input's stride phases (stride ").append(g.strideH())
                        .append('x').append(g.strideW()).append(")\n");
            } else if (d.phases() != null) {
                s.append("  data gradient by phases: one stride-1 convolution of dy per phase of dx (stride ").append(g.strideH()).append('x')
                        .append(g.strideW()).append(")\n");
                for (int i = 0; i < d.phases().size(); i++) {
                    PhaseDataGradient.Phase p = d.phases().get(i);
                    s.append("    phase (").append(p.py()).append(", ").append(p.px()).append("): ");
                    if (p.geometry() == null) s.append("no tap reaches it: zero\n");
                    else s.append(describe(p.geometry())).append(": ").append(explain(d.phaseChoices().get(i))).append('\n');
                }
            } else if (d.dataNeeded()) {
                s.append("  data gradient: im2col-col2im, transposed GEMM then col2im (stride ").append(g.strideH()).append('x').append(g.strideW())
                        .append(", dilated, or padded past its phases)\n");
            } else {
                s.append("  data gradient: none (no layer before this one learns)\n");
            }
            s.append("  weight gradient: ").append(d.weight().label()).append(" (").append(weightReason(g)).append(")\n");
        }
        return s.toString();
    }

    /** {@code [direct, direct, direct, direct] (0.010 ms)}: each phase's strategy ("zero" where no tap reaches it) and their total time. */
    private static String phaseSummary(Directions d) {
        double ms = 0;
        java.util.StringJoiner names = new java.util.StringJoiner(", ", "[", "]");
        for (Choice c : d.phaseChoices()) {
            names.add(c == null ? "zero" : c.strategy());
            if (c != null) ms += c.expected();
        }
        return String.format(Locale.ROOT, "%s (%.3f ms)", names, ms);
    }

    private static String describe(ConvGeometry g) {
        return String.format(Locale.ROOT, "%d->%d channels, %dx%d kernel, stride %dx%d, %dx%d input%s", g.inC(), g.outC(), g.kernelH(), g.kernelW(),
                g.strideH(), g.strideW(), g.inH(), g.inW(), g.groups() > 1 ? ", " + g.groups() + " groups" : "");
    }

    private static String explain(Choice c) {
        String others = c.expectedMs().entrySet().stream().filter(x -> !x.getKey().equals(c.strategy()))
                .sorted(Map.Entry.comparingByValue()).limit(3)
                .map(x -> String.format(Locale.ROOT, "%s %.3f", x.getKey(), x.getValue())).collect(java.util.stream.Collectors.joining(", "));
        return String.format(Locale.ROOT, "%s, %.3f ms a sample by the cost model (%s)%s", c.strategy(), c.expected(), c.reason(),
                others.isEmpty() ? "" : "; next: " + others);
    }

    private static String weightReason(ConvGeometry g) {
        if (weightGradient(g) == WeightGradientForm.DEPTHWISE) {
            return "one input channel per group: each tap a dot product over the input's stride phases, vectors along the pixels";
        }
        if (weightGradient(g) == WeightGradientForm.CHANNELS_LAST) {
            return "ungrouped, a vector's worth of input channels: the input copied channels last, input channels along the vectors";
        }
        return (g.groups() > 1 ? "grouped" : "fewer input channels than a vector holds") + ": vectors along the pixels";
    }
}
