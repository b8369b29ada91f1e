package io.cnnc.runtime.exec;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.*;
import io.cnnc.kernels.reference.*;
import io.cnnc.runtime.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph for inference with the reference kernels, node by node: the slow, obviously
 * correct executor every compiled plan is compared with.
 */
public final class ReferenceExecutor {

    private final Graph graph;
    private final Map<String, Tensor> weights;

    public ReferenceExecutor(Graph graph, Map<String, Tensor> weights) {
        this.graph = graph;
        this.weights = weights;
    }

    /** Inputs are {@code [N, C, H, W]} in the order the network declares them. */
    public List<Tensor> run(List<Tensor> inputs) {
        if (inputs.size() != graph.inputs().size()) {
            throw new IllegalArgumentException(graph.name() + " takes " + graph.inputs().size() + " inputs, got " + inputs.size());
        }
        int batch = inputs.getFirst().dim(0);
        Map<Value, float[]> values = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Value v = graph.inputs().get(i);
            Tensor t = inputs.get(i);
            if (t.dim(0) != batch || t.size() != (long) batch * v.shape().size()) {
                throw new IllegalArgumentException("input '" + v.label() + "' must be [N, " + v.shape().c() + ", "
                        + v.shape().h() + ", " + v.shape().w() + "], got " + t.shapeString());
            }
            values.put(v, t.data());
        }
        for (Node n : graph.nodes()) {
            float[] y = new float[Math.toIntExact(batch * n.output().shape().size())];
            List<float[]> args = new ArrayList<>();
            for (Value v : n.inputs()) args.add(values.get(v));
            execute(n, args, batch, y);
            values.put(n.output(), y);
        }
        List<Tensor> out = new ArrayList<>();
        for (Value v : graph.outputs()) out.add(Tensor.of(values.get(v), v.shape().withBatch(batch)));
        return out;
    }

    private void execute(Node n, List<float[]> in, int batch, float[] y) {
        Shape s = n.inputShapes().getFirst();
        int spatial = s.h() * s.w();
        float[] x = in.getFirst();
        // Shapes are logical here: a blocked op computes what its op does.
        Op op = n.op() instanceof BlockedOp b ? b.op() : n.op();
        switch (op) {
            case ConvOp c -> ConvReference.forward(x, batch, c.geometry(s), w(n, "weight"), c.bias() ? w(n, "bias") : null, y);
            case DenseOp d -> DenseReference.forward(x, batch, Math.toIntExact(s.size()), d.units(), w(n, "weight"),
                    d.bias() ? w(n, "bias") : null, y);
            case BatchNormOp b -> BatchNormReference.forward(x, batch, s.c(), spatial, w(n, "weight"), w(n, "bias"),
                    w(n, "running_mean"), w(n, "running_var"), b.eps(), y);
            case LayerNormOp l -> LayerNormReference.forward(x, batch, s.c(), spatial, w(n, "weight"), w(n, "bias"), l.eps(), y);
            case ScaleOp sc -> ScaleReference.forward(x, batch, s.c(), spatial, w(n, "weight"), y);
            case ShiftOp sh -> ShiftReference.forward(x, batch, s.c(), spatial, w(n, "weight"), y);
            case PoolOp p -> {
                if (p.kind() == PoolOp.Kind.MAX) MaxPoolReference.forward(x, batch, p.geometry(s), y);
                else AvgPoolReference.forward(x, batch, p.geometry(s), y);
            }
            case GlobalPoolOp g -> {
                if (g.kind() == PoolOp.Kind.MAX) GlobalPoolReference.max(x, batch, s.c(), spatial, y);
                else GlobalPoolReference.average(x, batch, s.c(), spatial, y);
            }
            case AdaptiveAvgPoolOp a -> AdaptiveAvgPoolReference.forward(x, batch, s.c(), s.h(), s.w(), a.outH(), a.outW(), y);
            case ActivationOp a -> ActivationReference.forward(a.kind(), a.alpha(), x, y);
            case SoftmaxOp sm -> SoftmaxReference.channels(x, batch, s.c(), spatial, y);
            case FlattenOp f -> CopyReference.forward(x, y);
            case DropoutOp d -> CopyReference.forward(x, y);
            case ReorderOp r -> CopyReference.forward(x, y); // shapes are logical: a reorder is the identity here
            case BlockedOp b -> throw new IllegalStateException("unwrapped above");
            case AddOp a -> AddReference.forward(x, in.get(1), y);
            case MulOp m -> multiply(n, in, batch, y);
            case FusedConvOp f -> fusedConv(n, f, in, batch, y);
            case ConcatOp c -> {
                int[] channels = n.inputShapes().stream().mapToInt(Shape::c).toArray();
                ConcatReference.channels(in.toArray(float[][]::new), channels, batch, spatial, y);
            }
        }
    }

    /** The fused op's meaning spelled out step by step, unfused: what the optimized kernels must match. */
    private void fusedConv(Node n, FusedConvOp f, List<float[]> in, int batch, float[] y) {
        Shape s = n.inputShapes().getFirst();
        ConvOp c = f.conv();
        ConvReference.forward(in.getFirst(), batch, c.geometry(s), tensor(f.convName() + ".weight"),
                c.bias() ? tensor(f.convName() + ".bias") : null, y);
        Shape out = n.output().shape();
        int spatial = out.h() * out.w();
        if (f.bn() != null) {
            String p = f.bnName() + ".";
            BatchNormReference.forward(y.clone(), batch, out.c(), spatial, tensor(p + "weight"), tensor(p + "bias"),
                    tensor(p + "running_mean"), tensor(p + "running_var"), f.bn().eps(), y);
        }
        if (f.residual()) AddReference.forward(y.clone(), in.get(1), y);
        if (f.activation() != null) ActivationReference.forward(f.activation().kind(), f.activation().alpha(), y.clone(), y);
    }

    /** Puts the [C, 1, 1] operand, if any, second: the kernel broadcasts only its second operand. */
    private static void multiply(Node n, List<float[]> in, int batch, float[] y) {
        int broadcast = MulOp.broadcastOperand(n.inputShapes());
        Shape out = n.output().shape();
        MulReference.forward(in.get(broadcast == 0 ? 1 : 0), in.get(broadcast == 0 ? 0 : 1), batch, out.c(), out.h() * out.w(),
                broadcast >= 0, y);
    }

    private float[] w(Node n, String suffix) {
        return tensor(n.name() + "." + suffix);
    }

    private float[] tensor(String name) {
        Tensor t = weights.get(name);
        if (t == null) throw new IllegalStateException("no weight " + name);
        return t.data();
    }
}
