package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.backward.PoolBackward;
import io.cnnc.kernels.cpu.BlockedPool;
import io.cnnc.kernels.cpu.FastGlobalPool;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.GlobalPoolReference;
import java.util.List;
import java.util.Set;

/** Global average or max pooling: {@code [C, H, W] -> [C, 1, 1]}. */
public record GlobalPoolOp(PoolOp.Kind kind) implements BlockableOp, GpuTrainable {

    @Override
    public String type() {
        return kind == PoolOp.Kind.MAX ? "globalmaxpool" : "gap";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return new Shape(inputs.getFirst().c(), 1, 1);
    }

    @Override
    public Window window(List<Shape> inputs) {
        Shape in = inputs.getFirst();
        return new Window(in.h(), in.w(), 1, 1, 1, 1);
    }

    @Override
    public void reference(Eval e) {
        if (kind == PoolOp.Kind.MAX) GlobalPoolReference.max(e.x(), e.batch(), e.in().c(), e.spatial(), e.output());
        else GlobalPoolReference.average(e.x(), e.batch(), e.in().c(), e.spatial(), e.output());
    }

    /** Max pooling finds its winners in the input; average pooling spreads the gradient by shape alone. */
    @Override
    public BackwardReads backwardReads() {
        return kind == PoolOp.Kind.MAX ? BackwardReads.INPUTS : BackwardReads.NOTHING;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        if (g.dx() == null) return;
        if (kind == PoolOp.Kind.MAX) PoolBackward.globalMax(e.x(), g.dy(), e.batch(), e.in().c(), e.spatial(), g.dx());
        else PoolBackward.globalAverage(g.dy(), e.batch(), e.in().c(), e.spatial(), g.dx());
    }

    @Override
    public BlockedTraining blockedTraining() {
        return BlockedTraining.READS;
    }

    /** On an NCHWc input the blocked kernel, whose [N, C] output is NCHW too. */
    @Override
    public CodeBlock trainingForward(TrainingCode c) {
        return c.blocked() ? cpuBlocked(c.inference()) : cpu(c.inference());
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        String blocked = c.blocked() ? "Blocked" : "";
        if (kind == PoolOp.Kind.MAX) {
            return CodeBlock.of("$T.globalMax$L($L, $L, BATCH, $L, $L, $L)", PoolBackward.class, blocked, c.x(), c.dy(), c.in().c(), c.spatial(), c.dx());
        }
        return CodeBlock.of("$T.globalAverage$L($L, BATCH, $L, $L, $L)", PoolBackward.class, blocked, c.dy(), c.in().c(), c.spatial(), c.dx());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.$L($L, BATCH, $L, $L, $L, " + c.threads() + ")", FastGlobalPool.class,
                kind == PoolOp.Kind.MAX ? "max" : "average", c.x(), c.in().c(), c.spatial(), c.y());
    }

    @Override
    public CodeBlock cpuBlocked(CpuCode c) {
        return CodeBlock.of("$T.$L($L, BATCH, $L, $L, $L, " + c.threads() + ")", BlockedPool.class,
                kind == PoolOp.Kind.MAX ? "max" : "average", c.x(), c.in().c(), c.spatial(), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        t.kernel(t.loops().globalPool(t.kernelName(), t.batch() * s.c(), s.h() * s.w(), kind == PoolOp.Kind.MAX));
        t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of(LayerLaunches.globalPool(g.x(), g.y(), g.batch() * g.in().c(), g.spatial(), kind == PoolOp.Kind.MAX));
    }

    @Override
    public String onnx(OnnxCode o) {
        return o.node(kind == PoolOp.Kind.MAX ? "GlobalMaxPool" : "GlobalAveragePool", List.of(o.x()), o.output());
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return List.of(LayerLaunches.globalPool(t.x(), t.y(), t.batch() * t.in().c(), t.spatial(), kind == PoolOp.Kind.MAX));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (!t.needsDx(0)) return;
        float beta = t.beta(0);
        out.add(TrainingLaunches.globalPoolBackward(t.x(), t.dy(), t.dx(0), t.batch() * t.in().c(), t.spatial(), kind == PoolOp.Kind.MAX, beta));
    }

    /** ONNX GlobalAveragePool and GlobalMaxPool. */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("GlobalAveragePool", "GlobalMaxPool"), n -> {
        OnnxImport.Value x = n.in(0);
        n.emit(x, n.node().opType().equals("GlobalAveragePool") ? "gap" : "globalmaxpool", x.c(), 1, 1, 4);
    });

    /**
     * ReduceMean or ReduceMax over H and W of a [N, C, H, W] value (MnasNet's {@code x.mean([2, 3])}):
     * global pooling, then a flatten where the reduced axes are not kept. The axes come as an
     * attribute (opset 17 and before) or as a constant second input (18); other reductions are
     * left to the list of nodes that do not import.
     */
    public static final OnnxImportRule ONNX_IMPORT_REDUCE = OnnxImportRule.pattern(Set.of("ReduceMean", "ReduceMax"), n -> {
        OnnxImport.Value x = n.computed(0);
        if (x == null || x.rank() != 4) return false;
        long[] axes = n.node().ints("axes", null);
        if (axes == null && n.node().inputs().size() > 1 && n.constant(1) != null) axes = OnnxImport.ints(n.constant(1));
        if (axes == null) return false;
        java.util.Set<Long> over = new java.util.HashSet<>();
        for (long a : axes) over.add(a < 0 ? a + 4 : a);
        if (!over.equals(Set.of(2L, 3L))) return false;
        String pool = n.node().opType().equals("ReduceMean") ? "gap" : "globalmaxpool";
        if (n.node().integer("keepdims", 1) != 0) n.emit(x, pool, x.c(), 1, 1, 4);
        else n.emit(x, pool + " -> flatten", x.c(), 1, 1, 2);
        return true;
    });
}
