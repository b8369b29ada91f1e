package io.cnnc.compiler.target.gpu;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.*;
import io.cnnc.compiler.plan.FoldedConvWeights;
import io.cnnc.compiler.plan.MemoryPlan;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.ConvBuffers;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.GpuConvChooser;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.compiler.target.gpu.GpuPlan.Buffer;
import io.cnnc.compiler.target.gpu.GpuPlan.ConvChoice;
import io.cnnc.compiler.target.gpu.GpuPlan.Role;
import io.cnnc.compiler.target.gpu.GpuPlan.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the {@link GpuPlan} of a network from its {@link FrontHalf}: the graph after the inference
 * passes (fusion, BatchNorm folding) and its memory plan (one device buffer per slot, so values
 * whose lifetimes do not overlap share a buffer); then a strategy per convolution and a launch
 * list per layer. Shared by every device API; nothing here talks to a device.
 */
public final class GpuPlanner {

    private final Graph graph;
    private final Map<String, float[]> weights;
    private final int batch;
    private final Function<ConvGeometry, GpuConvChooser.Choice> chooser;
    private final List<Buffer> buffers = new ArrayList<>();
    private final Map<Integer, Integer> slotBuffer = new LinkedHashMap<>();
    private final List<Integer> inputBuffers = new ArrayList<>();
    private final MemoryPlan memory;

    private GpuPlanner(FrontHalf front, Map<String, float[]> weights, int batch, Function<ConvGeometry, GpuConvChooser.Choice> chooser) {
        this.graph = front.planar();
        this.memory = front.memory();
        this.weights = weights;
        this.batch = batch;
        this.chooser = chooser;
    }

    /** {@code weights} are the source graph's tensors by full name; convolutions by {@link GpuConvChooser}. */
    public static GpuPlan plan(Graph source, Map<String, float[]> weights, int batch) {
        return plan(source, weights, batch, GpuConvChooser::choose);
    }

    /** With {@code chooser} deciding every convolution's strategy (tests force each one). */
    public static GpuPlan plan(Graph source, Map<String, float[]> weights, int batch, Function<ConvGeometry, GpuConvChooser.Choice> chooser) {
        return plan(FrontHalf.of(source), weights, batch, chooser);
    }

    /** From a front half already computed (the passes and memory plan are not run again). */
    public static GpuPlan plan(FrontHalf front, Map<String, float[]> weights, int batch, Function<ConvGeometry, GpuConvChooser.Choice> chooser) {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        return new GpuPlanner(front, weights, batch, chooser).build();
    }

    private GpuPlan build() {
        for (Value v : graph.inputs()) inputBuffers.add(add("input " + v.label(), Role.INPUT, v.shape().size() * batch, null));
        List<Long> slots = memory.slotSizes();
        for (int s = 0; s < slots.size(); s++) slotBuffer.put(s, add("slot " + s, Role.ACTIVATION, slots.get(s) * batch, null));
        Map<Node, GpuConvChooser.Choice> choices = new LinkedHashMap<>();
        long[] workspace = {0, 0};
        for (Node n : graph.nodes()) {
            if (n.op() instanceof FusedConvOp f) {
                ConvGeometry g = f.conv().geometry(n.inputShapes().getFirst());
                GpuConvChooser.Choice c = chooser.apply(g);
                if (!c.strategy().supports(g)) {
                    throw new IllegalArgumentException(n.name() + ": strategy " + c.strategy().label() + " does not support " + g);
                }
                choices.put(n, c);
                long[] w = c.strategy().workspace(g, batch);
                workspace[0] = Math.max(workspace[0], w[0]);
                workspace[1] = Math.max(workspace[1], w[1]);
            }
        }
        // One scratch pair for the whole network: layers run one after another on one queue.
        int wsA = workspace[0] > 0 ? add("workspace A", Role.WORKSPACE, workspace[0], null) : Arg.NO_BUFFER;
        int wsB = workspace[1] > 0 ? add("workspace B", Role.WORKSPACE, workspace[1], null) : Arg.NO_BUFFER;
        List<Step> steps = new ArrayList<>();
        List<ConvChoice> convs = new ArrayList<>();
        for (Node n : graph.nodes()) {
            List<Launch> launches = switch (n.op()) {
                case FusedConvOp f -> {
                    GpuConvChooser.Choice c = choices.get(n);
                    convs.add(new ConvChoice(n.name(), f.type(), c.strategy(), c.reason()));
                    yield conv(n, f, c.strategy(), wsA, wsB);
                }
                default -> layer(n);
            };
            for (Launch l : launches) steps.add(new Step(n.name(), n.op().type(), l));
        }
        List<GpuPlan.Output> outputs = graph.outputs().stream().map(v -> new GpuPlan.Output(buffer(v), v.shape())).toList();
        return new GpuPlan(graph.name(), batch, buffers, steps, inputBuffers, outputs, convs, memory.unsharedBytes(batch) / Float.BYTES);
    }

    private List<Launch> conv(Node n, FusedConvOp f, GpuConvStrategy strategy, int wsA, int wsB) {
        ConvGeometry g = f.conv().geometry(n.inputShapes().getFirst());
        FoldedConvWeights folded = FoldedConvWeights.of(f, this::tensor);
        int w = add(f.convName() + ".weight" + (strategy == GpuConvStrategy.WINOGRAD ? " (winograd U)" : ""), Role.WEIGHT,
                strategy.deviceWeights(g, folded.weight()));
        int b = folded.bias() != null ? add(f.convName() + ".bias" + (f.bn() != null ? " (bn folded)" : ""), Role.WEIGHT, folded.bias()) : Arg.NO_BUFFER;
        int res = f.residual() ? buffer(n.inputs().get(1)) : Arg.NO_BUFFER;
        ActivationOp a = f.activation();
        return strategy.launches(g, batch, new ConvBuffers(buffer(n.inputs().getFirst()), w, b, res, buffer(n.output()), wsA, wsB),
                a == null ? GpuActivation.NONE : GpuActivation.code(a.kind()), a == null ? 0f : (float) a.alpha());
    }

    private List<Launch> layer(Node n) {
        Shape s = n.inputShapes().getFirst();
        int spatial = s.h() * s.w();
        int x = buffer(n.inputs().getFirst());
        long count = s.size() * batch;
        if (n.op() instanceof FlattenOp) return List.of();
        int y = buffer(n.output());
        return switch (n.planarOp()) {
            case DenseOp d -> List.of(LayerLaunches.dense(x, add(n.name() + ".weight", Role.WEIGHT, tensor(n.name() + ".weight")),
                    d.bias() ? add(n.name() + ".bias", Role.WEIGHT, tensor(n.name() + ".bias")) : Arg.NO_BUFFER, y, batch,
                    Math.toIntExact(s.size()), d.units(), GpuActivation.NONE, 0f));
            case BatchNormOp bn -> {
                float[][] affine = batchNormAffine(n.name(), bn.eps(), s.c());
                yield List.of(LayerLaunches.channelAffine(x, add(n.name() + " scale (bn folded)", Role.WEIGHT, affine[0]),
                        add(n.name() + " shift (bn folded)", Role.WEIGHT, affine[1]), y, batch, s.c(), spatial));
            }
            case ScaleOp sc -> List.of(LayerLaunches.channelAffine(x, add(n.name() + ".weight", Role.WEIGHT, tensor(n.name() + ".weight")),
                    add(n.name() + " zeros", Role.WEIGHT, new float[s.c()]), y, batch, s.c(), spatial));
            case ShiftOp sh -> {
                float[] ones = new float[s.c()];
                Arrays.fill(ones, 1f);
                yield List.of(LayerLaunches.channelAffine(x, add(n.name() + " ones", Role.WEIGHT, ones),
                        add(n.name() + ".weight", Role.WEIGHT, tensor(n.name() + ".weight")), y, batch, s.c(), spatial));
            }
            case LayerNormOp l -> List.of(LayerLaunches.layerNorm(x, add(n.name() + ".weight", Role.WEIGHT, tensor(n.name() + ".weight")),
                    add(n.name() + ".bias", Role.WEIGHT, tensor(n.name() + ".bias")), y, batch, s.c(), spatial, (float) l.eps()));
            case PoolOp p -> List.of(p.kind() == PoolOp.Kind.MAX ? LayerLaunches.maxPool(x, y, batch, p.geometry(s))
                    : LayerLaunches.avgPool(x, y, batch, p.geometry(s)));
            case GlobalPoolOp gp -> List.of(LayerLaunches.globalPool(x, y, batch * s.c(), spatial, gp.kind() == PoolOp.Kind.MAX));
            case AdaptiveAvgPoolOp a -> List.of(LayerLaunches.adaptiveAvgPool(x, y, batch * s.c(), s.h(), s.w(), a.outH(), a.outW()));
            case ActivationOp a -> List.of(LayerLaunches.activation(x, y, count, GpuActivation.code(a.kind()), (float) a.alpha()));
            case SoftmaxOp sm -> List.of(LayerLaunches.softmax(x, y, batch, s.c(), spatial));
            case AddOp a -> List.of(LayerLaunches.add(x, buffer(n.inputs().get(1)), y, count, GpuActivation.NONE, 0f));
            case MulOp m -> {
                int broadcast = MulOp.broadcastOperand(n.inputShapes());
                Shape o = n.output().shape();
                int full = buffer(n.inputs().get(broadcast == 0 ? 1 : 0));
                int other = buffer(n.inputs().get(broadcast == 0 ? 0 : 1));
                yield List.of(LayerLaunches.mul(full, other, y, o.size() * batch, o.h() * o.w(), broadcast >= 0));
            }
            case ConcatOp c -> {
                List<Launch> parts = new ArrayList<>();
                int total = Math.toIntExact(n.output().shape().size());
                int offset = 0;
                for (int i = 0; i < n.inputs().size(); i++) {
                    int part = Math.toIntExact(n.inputShapes().get(i).size());
                    parts.add(LayerLaunches.copyInto(buffer(n.inputs().get(i)), y, batch, part, total, offset));
                    offset += part;
                }
                yield parts;
            }
            case FlattenOp f -> List.of();
            // The passes turn every convolution into a FusedConvOp (canonicalize-convs).
            case FusedConvOp f -> throw new IllegalStateException("handled by conv()");
        };
    }

    /** BatchNorm with running statistics as {@code x * scale + shift}, computed in double as FoldedConvWeights does. */
    private float[][] batchNormAffine(String name, double eps, int channels) {
        float[] gamma = tensor(name + ".weight");
        float[] beta = tensor(name + ".bias");
        float[] mean = tensor(name + ".running_mean");
        float[] var = tensor(name + ".running_var");
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = gamma[c] / Math.sqrt(var[c] + eps);
            scale[c] = (float) s;
            shift[c] = (float) (beta[c] - mean[c] * s);
        }
        return new float[][] {scale, shift};
    }

    /** The buffer holding {@code v}: its memory-plan slot, or the input it is (a view of). */
    private int buffer(Value v) {
        int slot = memory.slot(v);
        if (slot >= 0) return slotBuffer.get(slot);
        Value root = v;
        while (root.producer() != null) root = root.producer().inputs().getFirst();
        int index = graph.inputs().indexOf(root);
        if (index < 0) throw new IllegalStateException("value " + v + " has neither a slot nor an input");
        return inputBuffers.get(index);
    }

    private float[] tensor(String name) {
        float[] w = weights.get(name);
        if (w == null) throw new IllegalArgumentException("no weight tensor '" + name + "'");
        return w;
    }

    private int add(String name, Role role, float[] data) {
        return add(name, role, data.length, data);
    }

    private int add(String name, Role role, long floats, float[] data) {
        int id = buffers.size();
        buffers.add(new Buffer(id, name, role, floats, data));
        return id;
    }
}
