package io.cnnc.compiler.train;

import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.ConvOp;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.StrategyChooser;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Im2colConv;
import io.cnnc.kernels.cpu.conv.ChannelsLastWeightGradient;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.DataGradientConv;
import io.cnnc.kernels.cpu.conv.WeightGradientForm;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The strategy of each convolution a training step runs, by the inference cost model: the
 * forward, and the data gradient where it is a convolution of dy ({@link DataGradientConv});
 * the weight gradient in one of its {@link WeightGradientForm}s; the data gradient of a strided
 * conv stays im2col, GEMM and col2im.
 * Only exact planar strategies are candidates: training keeps NCHW between nodes, and
 * Winograd's error in gradients is not measured yet.
 */
public final class TrainingConvStrategies {

    private TrainingConvStrategies() {}

    /**
     * A conv node's choices; {@code data} is null where its data gradient is not needed
     * ({@code dataNeeded} false) or is not a convolution (strided: im2col and col2im).
     */
    public record Directions(ConvGeometry forwardGeometry, Choice forward, boolean dataNeeded, ConvGeometry dataGeometry, Choice data,
                             WeightGradientForm weight) {}

    /** Whether training may run {@code name}: planar in and out, and exact. */
    public static boolean allowed(String name) {
        ConvStrategy s = ConvStrategies.byName(name);
        return !s.blocked() && !s.approximate();
    }

    public static Map<Node, Directions> choose(TrainingPlan plan, Machine machine, int threads) {
        StrategyChooser chooser = new StrategyChooser(machine, threads, TrainingConvStrategies::allowed);
        Map<Node, Boolean> dataGradient = new LinkedHashMap<>();
        for (TrainingPlan.Backward b : plan.backward()) dataGradient.put(b.node(), b.inputGradient(0));
        Map<Node, Directions> out = new LinkedHashMap<>();
        for (Node n : plan.graph().nodes()) {
            if (!(n.sourceOp() instanceof ConvOp conv)) continue;
            ConvGeometry g = conv.geometry(n.inputShapes().getFirst());
            boolean needed = dataGradient.getOrDefault(n, false);
            ConvGeometry d = needed && DataGradientConv.applies(g) ? DataGradientConv.geometry(g) : null;
            out.put(n, new Directions(g, onAll(chooser.choose(g), threads), needed, d, d == null ? null : onAll(chooser.choose(d), threads),
                    weightGradient(g)));
        }
        return out;
    }

    /**
     * Channels last wherever it computes the layer, but for few channels on large images:
     * there one channel vector per tap leaves its register blocks short of operands, and the
     * lane-partial form reads the input's shifted rows at 1.5x its speed (16 channels at 32x32,
     * AVX-512, docs/training.md).
     */
    static WeightGradientForm weightGradient(ConvGeometry g) {
        boolean fewChannels = ChannelsLastWeightGradient.channelVectors(g) < 2;
        if (!WeightGradientForm.CHANNELS_LAST.applies(g) || fewChannels && Im2colConv.readsShiftedRows(g)) return WeightGradientForm.LANE_PARTIAL;
        return WeightGradientForm.CHANNELS_LAST;
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
            else if (d.dataNeeded()) s.append(", data gradient im2col-col2im (not a stride-1 convolution)");
            s.append(", weight gradient ").append(d.weight().label()).append('\n');
        }
        return s.toString();
    }
}
