package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.backward.MergeBackward;
import io.cnnc.kernels.cpu.FastElementwise;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.reference.MulReference;
import java.util.List;
import java.util.Set;

/** Elementwise product; a {@code [C, 1, 1]} operand broadcasts over H and W (squeeze-and-excitation). */
public record MulOp() implements CommonOp {

    @Override
    public String type() {
        return "mul";
    }

    /**
     * Which operand (0 or 1) is the [C, 1, 1] one that broadcasts over H and W, or -1 when both
     * have the output's shape. Kernels take the full operand first.
     */
    public static int broadcastOperand(List<Shape> inputs) {
        Shape a = inputs.get(0);
        Shape b = inputs.get(1);
        if (a.equals(b)) return -1;
        return a.isVector() ? 0 : 1;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape a = inputs.get(0);
        Shape b = inputs.get(1);
        if (a.equals(b)) return a;
        if (a.c() == b.c() && b.isVector()) return a;
        if (a.c() == b.c() && a.isVector()) return b;
        throw new ShapeException("shape mismatch in '*': " + a + " vs " + b
                + " (shapes must be equal, or one must be [C, 1, 1] with the same C)");
    }

    /** Puts the [C, 1, 1] operand, if any, second: the kernel broadcasts only its second operand. */
    @Override
    public void reference(Eval e) {
        int broadcast = broadcastOperand(e.inputShapes());
        Shape out = e.out();
        MulReference.forward(e.input(broadcast == 0 ? 1 : 0), e.input(broadcast == 0 ? 0 : 1), e.batch(), out.c(), out.h() * out.w(),
                broadcast >= 0, e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        int broadcast = broadcastOperand(e.inputShapes());
        int full = broadcast == 0 ? 1 : 0;
        Shape o = e.out();
        float[] dFull = Gradient.orScratch(g.dx(full), e.input(full).length);
        float[] dOther = Gradient.orScratch(g.dx(1 - full), e.input(1 - full).length);
        MergeBackward.mul(e.input(full), e.input(1 - full), g.dy(), e.batch(), o.c(), o.h() * o.w(), broadcast >= 0, dFull, dOther);
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        int broadcast = broadcastOperand(c.node().inputShapes());
        int full = broadcast == 0 ? 1 : 0;
        Shape o = c.node().output().shape();
        String[] d = new String[2];
        for (int i = 0; i < 2; i++) {
            d[i] = c.dx(i).equals("null") ? c.scratch(Math.toIntExact(c.batch() * c.node().inputShapes().get(i).size())) : c.dx(i);
        }
        return CodeBlock.of("$T.mul($L, $L, $L, BATCH, $L, $L, $L, $L, $L)", MergeBackward.class, c.input(full), c.input(1 - full), c.dy(), o.c(),
                o.h() * o.w(), broadcast >= 0, d[full], d[1 - full]);
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        int broadcast = broadcastOperand(c.node().inputShapes());
        Shape o = c.node().output().shape();
        return CodeBlock.of("$T.mul($L, $L, BATCH, $L, $L, $L, $L, " + c.threads() + ")", FastElementwise.class, c.input(broadcast == 0 ? 1 : 0),
                c.input(broadcast == 0 ? 0 : 1), o.c(), o.h() * o.w(), broadcast >= 0, c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        int broadcast = broadcastOperand(t.node().inputShapes());
        Shape o = t.node().output().shape();
        t.kernel(t.loops().mul(t.kernelName(), t.batch(), o.c(), o.h() * o.w(), broadcast >= 0));
        t.call(t.kernelName(), t.input(broadcast == 0 ? 1 : 0), t.input(broadcast == 0 ? 0 : 1), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        int broadcast = broadcastOperand(g.node().inputShapes());
        Shape o = g.node().output().shape();
        return List.of(LayerLaunches.mul(g.input(broadcast == 0 ? 1 : 0), g.input(broadcast == 0 ? 0 : 1), g.y(), o.size() * g.batch(),
                o.h() * o.w(), broadcast >= 0));
    }

    /** ONNX's Mul broadcasts a [N, C, 1, 1] operand as cnnc does. */
    @Override
    public String onnx(OnnxCode o) {
        return o.node("Mul", List.of(o.x(), o.input(1)), o.output());
    }

    /** ONNX Mul of two computed values (with a constant it is a scale). */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.pattern(Set.of("Mul"), n -> OnnxImport.binary(n, " * "));
}
