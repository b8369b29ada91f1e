package io.cnnc.runtime.train;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.*;
import io.cnnc.kernels.backward.*;
import io.cnnc.kernels.cpu.Activations;
import io.cnnc.kernels.cpu.Gemm;
import io.cnnc.kernels.cpu.Im2colConv;
import io.cnnc.kernels.reference.*;
import io.cnnc.runtime.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Forward and backward passes of a graph for training: batch norm uses batch statistics and
 * updates its running ones, dropout drops; activations are kept for the backward pass, which
 * walks the nodes in reverse and adds parameter gradients into {@link #gradients()}.
 */
public final class GraphTrainer {

    private final Graph graph;
    private final Map<String, Tensor> params;
    private final Map<String, float[]> grads = new HashMap<>();
    private final Map<Value, float[]> values = new HashMap<>();
    private final Map<Node, float[][]> saved = new HashMap<>();
    private final long seed;
    private SplittableRandom random;
    private final java.util.Set<String> frozen;
    private int batch;
    private boolean training;

    public GraphTrainer(Graph graph, Map<String, Tensor> params, long seed, java.util.Set<String> frozenNodes) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("training needs a network with one input and one output");
        }
        this.graph = graph;
        this.params = params;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.frozen = frozenNodes;
        for (Graph.NamedParam p : graph.parameters()) {
            if (p.spec().learned() && !frozen.contains(p.node().name())) grads.put(p.name(), new float[Math.toIntExact(p.spec().size())]);
        }
    }

    /** Gradients of the learned, unfrozen parameters, by name. */
    public Map<String, float[]> gradients() {
        return grads;
    }

    /** Dropout masks of {@code epoch} come from a stream of their own (resumed runs repeat them). */
    public void startEpoch(int epoch) {
        random = new SplittableRandom(seed * 31 + epoch);
    }

    public void zeroGradients() {
        for (float[] g : grads.values()) java.util.Arrays.fill(g, 0f);
    }

    /** Runs the network on {@code x} ([batch, C, H, W] flattened); returns the output (logits). */
    public float[] forward(float[] x, int batch, boolean training) {
        this.batch = batch;
        this.training = training;
        values.clear();
        saved.clear();
        values.put(graph.inputs().getFirst(), x);
        for (Node n : graph.nodes()) {
            float[] y = new float[Math.toIntExact(batch * n.output().shape().size())];
            forward(n, y);
            values.put(n.output(), y);
        }
        return values.get(graph.outputs().getFirst());
    }

    private void forward(Node n, float[] y) {
        Shape s = n.inputShapes().getFirst();
        int hw = s.h() * s.w();
        float[] x = values.get(n.inputs().getFirst());
        switch (n.op()) {
            case ConvOp c -> Im2colConv.forward(x, batch, c.geometry(s), p(n, "weight"), c.bias() ? p(n, "bias") : null, y);
            case DenseOp d -> {
                int in = Math.toIntExact(s.size());
                Gemm.nt(batch, d.units(), in, x, 0, p(n, "weight"), 0, y, 0);
                if (d.bias()) {
                    float[] b = p(n, "bias");
                    for (int i = 0; i < batch; i++) for (int u = 0; u < d.units(); u++) y[i * d.units() + u] += b[u];
                }
            }
            case BatchNormOp b when training && !frozen.contains(n.name()) -> {
                float[] mean = new float[s.c()];
                float[] invStd = new float[s.c()];
                BatchNormTraining.forward(x, batch, s.c(), hw, p(n, "weight"), p(n, "bias"), p(n, "running_mean"),
                        p(n, "running_var"), b.eps(), b.momentum(), y, mean, invStd);
                saved.put(n, new float[][] {mean, invStd});
            }
            case BatchNormOp b -> BatchNormReference.forward(x, batch, s.c(), hw, p(n, "weight"), p(n, "bias"),
                    p(n, "running_mean"), p(n, "running_var"), b.eps(), y);
            case LayerNormOp l -> LayerNormReference.forward(x, batch, s.c(), hw, p(n, "weight"), p(n, "bias"), l.eps(), y);
            case ScaleOp sc -> ScaleReference.forward(x, batch, s.c(), hw, p(n, "weight"), y);
            case ShiftOp sh -> ShiftReference.forward(x, batch, s.c(), hw, p(n, "weight"), y);
            case PoolOp pool -> {
                if (pool.kind() == PoolOp.Kind.MAX) MaxPoolReference.forward(x, batch, pool.geometry(s), y);
                else AvgPoolReference.forward(x, batch, pool.geometry(s), y);
            }
            case GlobalPoolOp g -> {
                if (g.kind() == PoolOp.Kind.MAX) GlobalPoolReference.max(x, batch, s.c(), hw, y);
                else GlobalPoolReference.average(x, batch, s.c(), hw, y);
            }
            case AdaptiveAvgPoolOp a -> AdaptiveAvgPoolReference.forward(x, batch, s.c(), s.h(), s.w(), a.outH(), a.outW(), y);
            case ActivationOp a -> Activations.forward(a.kind(), a.alpha(), x, y);
            case SoftmaxOp sm -> SoftmaxReference.channels(x, batch, s.c(), hw, y);
            case FlattenOp f -> System.arraycopy(x, 0, y, 0, y.length);
            case DropoutOp d when training && d.p() > 0 -> {
                float[] mask = new float[y.length];
                float keep = (float) (1 / (1 - d.p()));
                for (int i = 0; i < y.length; i++) {
                    mask[i] = random.nextDouble() < d.p() ? 0f : keep;
                    y[i] = x[i] * mask[i];
                }
                saved.put(n, new float[][] {mask});
            }
            case DropoutOp d -> System.arraycopy(x, 0, y, 0, y.length);
            case AddOp a -> AddReference.forward(x, values.get(n.inputs().get(1)), y);
            case MulOp m -> {
                int broadcast = MulOp.broadcastOperand(n.inputShapes());
                float[] full = values.get(n.inputs().get(broadcast == 0 ? 1 : 0));
                float[] other = values.get(n.inputs().get(broadcast == 0 ? 0 : 1));
                Shape o = n.output().shape();
                MulReference.forward(full, other, batch, o.c(), o.h() * o.w(), broadcast >= 0, y);
            }
            case FusedConvOp f -> throw new IllegalArgumentException(n.name() + ": training runs on the source graph, not an optimized one");
            case ReorderOp r -> throw new IllegalArgumentException(n.name() + ": training runs on the source graph, not an optimized one");
            case BlockedOp b -> throw new IllegalArgumentException(n.name() + ": training runs on the source graph, not an optimized one");
            case ConcatOp c -> ConcatReference.channels(n.inputs().stream().map(values::get).toArray(float[][]::new),
                    channels(n), batch, hw, y);
        }
    }

    /** A node's output from the last forward pass ([batch, C, H, W] flattened). */
    public float[] outputOf(Node node) {
        return values.get(node.output());
    }

    /** Backpropagates {@code dOutput}, the loss gradient with respect to the network's output. */
    public void backward(float[] dOutput) {
        Map<Value, float[]> dv = new HashMap<>();
        dv.put(graph.outputs().getFirst(), dOutput);
        List<Node> nodes = graph.nodes();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node n = nodes.get(k);
            float[] dy = dv.remove(n.output());
            if (dy == null) continue; // does not reach the output
            float[][] dxs = new float[n.inputs().size()][];
            for (int i = 0; i < dxs.length; i++) {
                Value in = n.inputs().get(i);
                dxs[i] = in.producer() == null ? null : new float[values.get(in).length];
            }
            backward(n, dy, dxs);
            for (int i = 0; i < dxs.length; i++) {
                if (dxs[i] == null) continue;
                float[] acc = dv.get(n.inputs().get(i));
                if (acc == null) dv.put(n.inputs().get(i), dxs[i]);
                else for (int j = 0; j < acc.length; j++) acc[j] += dxs[i][j];
            }
        }
    }

    private void backward(Node n, float[] dy, float[][] dxs) {
        Shape s = n.inputShapes().getFirst();
        int hw = s.h() * s.w();
        float[] x = values.get(n.inputs().getFirst());
        float[] dx = dxs[0];
        switch (n.op()) {
            case ConvOp c -> Im2colConv.backward(x, dy, batch, c.geometry(s), p(n, "weight"), dx, g(n, "weight"),
                    c.bias() ? g(n, "bias") : null);
            case DenseOp d -> DenseBackward.backward(x, dy, batch, Math.toIntExact(s.size()), d.units(), p(n, "weight"), dx,
                    g(n, "weight"), d.bias() ? g(n, "bias") : null);
            case BatchNormOp b when saved.containsKey(n) -> BatchNormTraining.backward(x, dy, batch, s.c(), hw, p(n, "weight"),
                    saved.get(n)[0], saved.get(n)[1], dx, g(n, "weight"), g(n, "bias"));
            case BatchNormOp b -> BatchNormTraining.backwardFrozen(x, dy, batch, s.c(), hw, p(n, "weight"), p(n, "running_mean"),
                    p(n, "running_var"), b.eps(), dx, g(n, "weight"), g(n, "bias"));
            case LayerNormOp l -> LayerNormBackward.backward(x, dy, batch, s.c(), hw, p(n, "weight"), l.eps(), dx,
                    orScratch(g(n, "weight"), s.c()), orScratch(g(n, "bias"), s.c()));
            case ShiftOp sh -> ShiftReference.backward(dy, batch, s.c(), hw, dx, g(n, "weight"));
            case ScaleOp sc -> ScaleBackward.backward(x, dy, batch, s.c(), hw, p(n, "weight"), dx, orScratch(g(n, "weight"), s.c()));
            case PoolOp pool -> {
                if (dx == null) return;
                if (pool.kind() == PoolOp.Kind.MAX) PoolBackward.max(x, dy, batch, pool.geometry(s), dx);
                else PoolBackward.average(dy, batch, pool.geometry(s), dx);
            }
            case GlobalPoolOp gp -> {
                if (dx == null) return;
                if (gp.kind() == PoolOp.Kind.MAX) PoolBackward.globalMax(x, dy, batch, s.c(), hw, dx);
                else PoolBackward.globalAverage(dy, batch, s.c(), hw, dx);
            }
            case AdaptiveAvgPoolOp a -> {
                if (dx != null) PoolBackward.adaptiveAverage(dy, batch, s.c(), s.h(), s.w(), a.outH(), a.outW(), dx);
            }
            case ActivationOp a -> {
                if (dx != null) Activations.backward(a.kind(), a.alpha(), x, dy, dx);
            }
            case SoftmaxOp sm -> {
                if (dx != null) SoftmaxBackward.backward(values.get(n.output()), dy, batch, s.c(), hw, dx);
            }
            case FlattenOp f -> {
                if (dx != null) System.arraycopy(dy, 0, dx, 0, dx.length);
            }
            case DropoutOp d -> {
                if (dx == null) return;
                float[] mask = saved.containsKey(n) ? saved.get(n)[0] : null;
                for (int i = 0; i < dx.length; i++) dx[i] = mask == null ? dy[i] : dy[i] * mask[i];
            }
            case AddOp a -> {
                for (float[] d : dxs) if (d != null) System.arraycopy(dy, 0, d, 0, d.length);
            }
            case MulOp m -> {
                int broadcast = MulOp.broadcastOperand(n.inputShapes());
                int full = broadcast == 0 ? 1 : 0;
                Shape o = n.output().shape();
                float[] dFull = orScratch(dxs[full], values.get(n.inputs().get(full)).length);
                float[] dOther = orScratch(dxs[1 - full], values.get(n.inputs().get(1 - full)).length);
                MergeBackward.mul(values.get(n.inputs().get(full)), values.get(n.inputs().get(1 - full)), dy, batch, o.c(),
                        o.h() * o.w(), broadcast >= 0, dFull, dOther);
            }
            case FusedConvOp f -> throw new IllegalArgumentException(n.name() + ": training runs on the source graph, not an optimized one");
            case ReorderOp r -> throw new IllegalArgumentException(n.name() + ": training runs on the source graph, not an optimized one");
            case BlockedOp b -> throw new IllegalArgumentException(n.name() + ": training runs on the source graph, not an optimized one");
            case ConcatOp c -> {
                float[][] outs = new float[dxs.length][];
                for (int i = 0; i < dxs.length; i++) outs[i] = orScratch(dxs[i], values.get(n.inputs().get(i)).length);
                MergeBackward.concat(dy, channels(n), batch, hw, outs);
            }
        }
    }

    private static float[] orScratch(float[] a, int length) {
        return a != null ? a : new float[length];
    }

    private static int[] channels(Node n) {
        return n.inputShapes().stream().mapToInt(Shape::c).toArray();
    }

    private float[] p(Node n, String suffix) {
        return params.get(n.name() + "." + suffix).data();
    }

    /** The gradient buffer, or null for frozen layers (their parameters do not move). */
    private float[] g(Node n, String suffix) {
        return grads.get(n.name() + "." + suffix);
    }
}
