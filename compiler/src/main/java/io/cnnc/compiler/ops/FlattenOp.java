package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.CopyReference;
import java.util.List;
import java.util.Set;

/** {@code [C, H, W] -> [C*H*W, 1, 1]}; the data does not move (NCHW order is kept). */
public record FlattenOp() implements CommonOp, GpuTrainable {

    @Override
    public String type() {
        return "flatten";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return new Shape(Math.toIntExact(inputs.getFirst().size()), 1, 1);
    }

    @Override
    public void reference(Eval e) {
        CopyReference.forward(e.x(), e.output());
    }

    /** The gradient is copied through. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.NOTHING;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        if (g.dx() != null) System.arraycopy(g.dy(), 0, g.dx(), 0, g.dx().length);
    }

    @Override
    public boolean view() {
        return true;
    }

    /** A view: the memory plan gives it its input's storage, so there is nothing to run. */
    /** A copy: inference reads the input as the output, but training's arrays each have a lifetime of their own. */
    @Override
    public CodeBlock trainingForward(TrainingCode c) {
        return CodeBlock.of("System.arraycopy($L, 0, $L, 0, BATCH * $L)", c.x(), c.y(), c.in().size());
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        return CodeBlock.of("System.arraycopy($L, 0, $L, 0, BATCH * $L)", c.dy(), c.dx(), c.in().size());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return null;
    }

    @Override
    public void tornado(TornadoCode t) {}

    /** A view: nothing to launch. */
    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of();
    }

    /** To [N, C*H*W, 1, 1]: values stay four-dimensional. */
    @Override
    public String onnx(OnnxCode o) {
        return o.node("Reshape", List.of(o.x(), o.ints(0, o.in().size(), 1, 1)), o.output());
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return List.of(TrainingLaunches.accumulate(t.x(), Arg.NO_BUFFER, t.y(), t.count(), 0f));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (!t.needsDx(0)) return;
        float beta = t.beta(0);
        out.add(TrainingLaunches.accumulate(t.dy(), Arg.NO_BUFFER, t.dx(0), t.count(), beta));
    }

    /** ONNX Flatten at axis 1, and the Reshape to [N, C*H*W] (or [N, C*H*W, 1, 1]) exporters write for it. */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Flatten", "Reshape"), n -> {
        OnnxImport.Value x = n.in(0);
        long size = (long) x.c() * x.h() * x.w();
        if (n.node().opType().equals("Flatten")) {
            if (n.node().integer("axis", 1) != 1) throw new OnnxImport.Refused("Flatten with axis " + n.node().integer("axis", 1));
            n.emit(x, "flatten", (int) size, 1, 1, 2);
            return;
        }
        long[] t = n.reshapeTarget();
        boolean batchKept = t.length >= 2 && OnnxImport.batchDimension(t[0]) && (t[1] == -1 || t[1] == size);
        // cnnc's own export keeps a vector as [N, C, 1, 1], the shape dense and flatten have in .cnn.
        boolean flatten = batchKept && (t.length == 2 || t.length == 4 && t[2] == 1 && t[3] == 1);
        if (!flatten) throw new OnnxImport.Refused("only reshapes that flatten [N, C, H, W] to [N, C*H*W] (or [N, C*H*W, 1, 1]) are supported");
        if (t.length == 4 && x.h() == 1 && x.w() == 1) n.alias(x);
        else n.emit(x, "flatten", (int) size, 1, 1, 2);
    });
}
