package io.cnnc.compiler.target.gpu;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.*;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.ConvBuffers;
import io.cnnc.kernels.gpu.Gemm;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.GpuConvChooser;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.compiler.target.gpu.GpuPlan.Buffer;
import io.cnnc.compiler.target.gpu.GpuPlan.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link GpuTrainingPlan} of a source graph (unfused: BatchNorm needs batch statistics
 * while training). Every value keeps its own buffer, as the backward pass reads them; a value's
 * gradient buffer is overwritten by the first layer that propagates into it and added to by the
 * rest (the beta of the kernels), walking the layers in reverse. Convolutions use the
 * strategy the inference rules pick, except Winograd, whose weights are transformed once on
 * the host and would go stale as the weights move: those use the tiled GEMM.
 */
public final class GpuTrainingPlanner {

    private final Graph graph;
    private final Map<String, float[]> params;
    private final int batch;
    private final boolean momentum;
    private final double labelSmoothing;
    private final List<Buffer> buffers = new ArrayList<>();
    private final Map<Value, Integer> values = new HashMap<>();
    private final Map<Value, Integer> gradients = new HashMap<>();
    private final Set<Value> written = new HashSet<>();
    private final Map<String, Integer> paramBuffers = new LinkedHashMap<>();
    private final Map<String, Integer> gradBuffers = new LinkedHashMap<>();
    private final Map<String, Integer> momentumBuffers = new LinkedHashMap<>();
    private final Map<Node, int[]> saved = new HashMap<>();
    private final List<GpuTrainingPlan.DropoutMask> masks = new ArrayList<>();
    private int partials = Arg.NO_BUFFER;

    private GpuTrainingPlanner(Graph graph, Map<String, float[]> params, int batch, boolean momentum, double labelSmoothing) {
        this.graph = graph;
        this.params = params;
        this.batch = batch;
        this.momentum = momentum;
        this.labelSmoothing = labelSmoothing;
    }

    /**
     * {@code momentum}: allocate SGD momentum buffers; {@code labelSmoothing} as PyTorch's
     * cross-entropy. Throws UnsupportedOperationException naming layers it cannot train.
     */
    public static GpuTrainingPlan plan(Graph graph, Map<String, float[]> params, int batch, boolean momentum, double labelSmoothing) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("training needs a network with one input and one output");
        }
        Shape out = graph.outputs().getFirst().shape();
        if (!out.isVector()) throw new IllegalArgumentException("training needs class logits [K, 1, 1] as the output, got " + out);
        List<String> unsupported = graph.nodes().stream()
                .filter(n -> n.op() instanceof LayerNormOp || n.op() instanceof ScaleOp || n.op() instanceof ShiftOp
                        || n.op() instanceof SoftmaxOp || n.op() instanceof MulOp || n.op() instanceof FusedConvOp
                        || n.op() instanceof UpsampleOp)
                .map(n -> n.name() + " (" + n.op().type() + ")").toList();
        if (!unsupported.isEmpty()) {
            throw new UnsupportedOperationException("training on the GPU does not support yet: " + String.join(", ", unsupported));
        }
        return new GpuTrainingPlanner(graph, params, batch, momentum, labelSmoothing).build();
    }

    private GpuTrainingPlan build() {
        for (Graph.NamedParam p : graph.parameters()) {
            float[] t = params.get(p.name());
            if (t == null) throw new IllegalArgumentException("no weight tensor '" + p.name() + "'");
            paramBuffers.put(p.name(), add(p.name(), Role.WEIGHT, t.length, t));
            if (p.spec().learned()) {
                gradBuffers.put(p.name(), add("grad " + p.name(), Role.WORKSPACE, t.length, null));
                if (momentum) momentumBuffers.put(p.name(), add("momentum " + p.name(), Role.WORKSPACE, t.length, null));
            }
        }
        // One scratch buffer for every convolution's split weight-gradient sums: layers run one after another.
        long scratch = graph.nodes().stream().filter(n -> n.op() instanceof ConvOp)
                .mapToLong(n -> TrainingLaunches.weightGradientWorkspace(((ConvOp) n.op()).geometry(n.inputShapes().getFirst()), batch))
                .max().orElse(0);
        if (scratch > 0) partials = add("weight gradient partial sums", Role.WORKSPACE, scratch, null);
        Value in = graph.inputs().getFirst();
        int input = add("input", Role.INPUT, in.shape().size() * batch, null);
        values.put(in, input);
        List<Launch> forward = new ArrayList<>();
        for (Node n : graph.nodes()) {
            values.put(n.output(), add(n.name(), Role.ACTIVATION, n.output().shape().size() * batch, null));
            forward.addAll(forward(n));
        }
        Value out = graph.outputs().getFirst();
        int classes = out.shape().c();
        int labels = add("labels", Role.INPUT, batch, null);
        int stats = add("loss and hits per sample", Role.WORKSPACE, 2L * batch, null);
        int dlogits = gradient(out);
        written.add(out);
        forward.add(TrainingLaunches.softmaxCrossEntropy(values.get(out), labels, dlogits, stats, batch, classes, (float) labelSmoothing));
        List<Launch> backward = new ArrayList<>();
        for (int k = graph.nodes().size() - 1; k >= 0; k--) {
            Node n = graph.nodes().get(k);
            if (written.contains(n.output())) backward.addAll(backward(n));
        }
        return new GpuTrainingPlan(graph.name(), batch, classes, buffers, forward, backward, paramBuffers, gradBuffers, momentumBuffers,
                input, labels, values.get(out), stats, masks);
    }

    private List<Launch> forward(Node n) {
        Shape s = n.inputShapes().getFirst();
        int spatial = s.h() * s.w();
        int x = values.get(n.inputs().getFirst());
        int y = values.get(n.output());
        long count = s.size() * batch;
        return switch (n.sourceOp()) {
            case ConvOp c -> {
                ConvGeometry g = c.geometry(s);
                GpuConvStrategy strategy = trainable(GpuConvChooser.choose(g).strategy());
                yield strategy.launches(g, batch, new ConvBuffers(x, param(n, "weight"), c.bias() ? param(n, "bias") : Arg.NO_BUFFER,
                        Arg.NO_BUFFER, y), GpuActivation.NONE, 0f);
            }
            case DenseOp d -> List.of(LayerLaunches.dense(x, param(n, "weight"), d.bias() ? param(n, "bias") : Arg.NO_BUFFER, y, batch,
                    Math.toIntExact(s.size()), d.units(), GpuActivation.NONE, 0f));
            case BatchNormOp b -> {
                int mean = add(n.name() + " batch mean", Role.WORKSPACE, s.c(), null);
                int invStd = add(n.name() + " batch 1/std", Role.WORKSPACE, s.c(), null);
                saved.put(n, new int[] {mean, invStd, add(n.name() + " gradient sums", Role.WORKSPACE, 2L * s.c(), null)});
                yield List.of(TrainingLaunches.bnTrainStats(x, mean, invStd, param(n, "running_mean"), param(n, "running_var"), batch, s.c(),
                                spatial, (float) b.eps(), (float) b.momentum()),
                        TrainingLaunches.bnTrainApply(x, y, mean, invStd, param(n, "weight"), param(n, "bias"), batch, s.c(), spatial));
            }
            case PoolOp p -> List.of(p.kind() == PoolOp.Kind.MAX ? LayerLaunches.maxPool(x, y, batch, p.geometry(s))
                    : LayerLaunches.avgPool(x, y, batch, p.geometry(s)));
            case GlobalPoolOp gp -> List.of(LayerLaunches.globalPool(x, y, batch * s.c(), spatial, gp.kind() == PoolOp.Kind.MAX));
            case AdaptiveAvgPoolOp a -> List.of(LayerLaunches.adaptiveAvgPool(x, y, batch * s.c(), s.h(), s.w(), a.outH(), a.outW()));
            case ActivationOp a -> List.of(LayerLaunches.activation(x, y, count, GpuActivation.code(a.kind()), (float) a.alpha()));
            case AddOp a -> List.of(LayerLaunches.add(x, values.get(n.inputs().get(1)), y, count, GpuActivation.NONE, 0f));
            case FlattenOp f -> List.of(TrainingLaunches.accumulate(x, Arg.NO_BUFFER, y, count, 0f));
            case DropoutOp d -> {
                int mask = Arg.NO_BUFFER;
                if (d.p() > 0) {
                    mask = add(n.name() + " mask", Role.INPUT, count, null);
                    masks.add(new GpuTrainingPlan.DropoutMask(mask, Math.toIntExact(count), d.p()));
                }
                saved.put(n, new int[] {mask});
                yield List.of(TrainingLaunches.accumulate(x, mask, y, count, 0f));
            }
            case ConcatOp c -> {
                List<Launch> parts = new ArrayList<>();
                int total = Math.toIntExact(n.output().shape().size());
                int offset = 0;
                for (int i = 0; i < n.inputs().size(); i++) {
                    int part = Math.toIntExact(n.inputShapes().get(i).size());
                    parts.add(LayerLaunches.copyInto(values.get(n.inputs().get(i)), y, batch, part, total, offset));
                    offset += part;
                }
                yield parts;
            }
            case ChannelShuffleOp cs -> List.of(ChannelShuffleOp.launch(x, y, batch, s, cs.groups(), 0f));
            case LayerNormOp l -> throw new IllegalStateException("rejected in plan()");
            case ScaleOp sc -> throw new IllegalStateException("rejected in plan()");
            case ShiftOp sh -> throw new IllegalStateException("rejected in plan()");
            case SoftmaxOp sm -> throw new IllegalStateException("rejected in plan()");
            case MulOp m -> throw new IllegalStateException("rejected in plan()");
            case UpsampleOp u -> throw new IllegalStateException("rejected in plan()");
        };
    }

    private static GpuConvStrategy trainable(GpuConvStrategy s) {
        return s == GpuConvStrategy.WINOGRAD ? GpuConvStrategy.GEMM : s;
    }

    private List<Launch> backward(Node n) {
        Shape s = n.inputShapes().getFirst();
        int spatial = s.h() * s.w();
        Value in = n.inputs().getFirst();
        int x = values.get(in);
        int dy = gradient(n.output());
        long count = s.size() * batch;
        boolean needDx = in.producer() != null;
        List<Launch> out = new ArrayList<>();
        switch (n.sourceOp()) {
            case ConvOp c -> {
                ConvGeometry g = c.geometry(s);
                out.addAll(TrainingLaunches.convBackwardWeight(x, dy, grad(n, "weight"), partials, batch, g, 0f));
                if (c.bias()) out.add(TrainingLaunches.channelSum(dy, grad(n, "bias"), batch, g.outC(), g.outH() * g.outW(), 0f));
                if (needDx) out.add(TrainingLaunches.convBackwardData(dy, param(n, "weight"), dx(in), batch, g, beta(in)));
            }
            case DenseOp d -> {
                int features = Math.toIntExact(s.size());
                int units = d.units();
                out.add(Gemm.of(units, features, batch, 1).a(dy, 0, 1, units, 0).b(x, 0, features, 1, 0).c(grad(n, "weight"), 0, features, 1, 0)
                        .launch());
                if (d.bias()) out.add(TrainingLaunches.channelSum(dy, grad(n, "bias"), batch, units, 1, 0f));
                if (needDx) {
                    float beta = beta(in);
                    out.add(Gemm.of(batch, features, units, 1).a(dy, 0, units, 1, 0).b(param(n, "weight"), 0, features, 1, 0)
                            .c(dx(in), 0, features, 1, 0).beta(beta).launch());
                }
            }
            case BatchNormOp b -> {
                int[] st = saved.get(n);
                out.add(TrainingLaunches.bnBackwardReduce(x, dy, st[0], st[1], grad(n, "weight"), grad(n, "bias"), st[2], batch, s.c(), spatial));
                if (needDx) out.add(TrainingLaunches.bnBackwardData(x, dy, dx(in), st[0], st[1], param(n, "weight"), st[2], batch, s.c(), spatial, beta(in)));
            }
            case PoolOp p -> {
                if (needDx) {
                    float beta = beta(in);
                    out.add(p.kind() == PoolOp.Kind.MAX ? TrainingLaunches.maxPoolBackward(x, dy, dx(in), batch, p.geometry(s), beta)
                            : TrainingLaunches.avgPoolBackward(dy, dx(in), batch, p.geometry(s), beta));
                }
            }
            case GlobalPoolOp gp -> {
                if (needDx) {
                    float beta = beta(in);
                    out.add(TrainingLaunches.globalPoolBackward(x, dy, dx(in), batch * s.c(), spatial, gp.kind() == PoolOp.Kind.MAX, beta));
                }
            }
            case AdaptiveAvgPoolOp a -> {
                if (needDx) {
                    float beta = beta(in);
                    out.add(TrainingLaunches.adaptiveAvgPoolBackward(dy, dx(in), batch * s.c(), s.h(), s.w(), a.outH(), a.outW(), beta));
                }
            }
            case ActivationOp a -> {
                if (needDx) {
                    float beta = beta(in);
                    out.add(TrainingLaunches.activationBackward(x, dy, dx(in), count, GpuActivation.code(a.kind()), (float) a.alpha(), beta));
                }
            }
            case FlattenOp f -> {
                if (needDx) {
                    float beta = beta(in);
                    out.add(TrainingLaunches.accumulate(dy, Arg.NO_BUFFER, dx(in), count, beta));
                }
            }
            case DropoutOp d -> {
                if (needDx) {
                    float beta = beta(in);
                    out.add(TrainingLaunches.accumulate(dy, saved.get(n)[0], dx(in), count, beta));
                }
            }
            case AddOp a -> {
                for (Value v : n.inputs()) {
                    if (v.producer() == null) continue;
                    float beta = beta(v);
                    out.add(TrainingLaunches.accumulate(dy, Arg.NO_BUFFER, dx(v), count, beta));
                }
            }
            case ConcatOp c -> {
                int total = Math.toIntExact(n.output().shape().size());
                int offset = 0;
                for (int i = 0; i < n.inputs().size(); i++) {
                    Value v = n.inputs().get(i);
                    int part = Math.toIntExact(n.inputShapes().get(i).size());
                    if (v.producer() != null) {
                        float beta = beta(v);
                        out.add(TrainingLaunches.copyFrom(dy, dx(v), batch, part, total, offset, beta));
                    }
                    offset += part;
                }
            }
            case ChannelShuffleOp cs -> {
                if (needDx) out.add(ChannelShuffleOp.launch(dy, dx(in), batch, s, s.c() / cs.groups(), beta(in)));
            }
            default -> throw new IllegalStateException("rejected in plan(): " + n.op().type());
        }
        return out;
    }

    /** 0 for the first gradient reaching {@code v}, 1 for the rest; marks it reached. */
    private float beta(Value v) {
        return written.add(v) ? 0f : 1f;
    }

    private int dx(Value v) {
        return gradient(v);
    }

    private int gradient(Value v) {
        return gradients.computeIfAbsent(v, k -> add("d " + (k.producer() == null ? "input" : k.producer().name()), Role.WORKSPACE,
                k.shape().size() * batch, null));
    }

    private int param(Node n, String suffix) {
        Integer id = paramBuffers.get(n.name() + "." + suffix);
        if (id == null) throw new IllegalArgumentException("no weight tensor '" + n.name() + "." + suffix + "'");
        return id;
    }

    private int grad(Node n, String suffix) {
        return gradBuffers.get(n.name() + "." + suffix);
    }

    private int add(String name, Role role, long floats, float[] data) {
        int id = buffers.size();
        buffers.add(new Buffer(id, name, role, floats, data));
        return id;
    }
}
