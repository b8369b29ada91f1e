package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.backward.LayerNormBackward;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.reference.LayerNormReference;
import java.util.List;

/** Layer normalisation over the channels at each position (ConvNeXt's LayerNorm2d). */
public record LayerNormOp(double eps) implements CommonOp {

    @Override
    public String type() {
        return "layernorm";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        int[] c = {inputs.getFirst().c()};
        return List.of(new ParamSpec("weight", c, true, Init.constant(1)), new ParamSpec("bias", c, true, Init.constant(0)));
    }

    @Override
    public void reference(Eval e) {
        LayerNormReference.forward(e.x(), e.batch(), e.in().c(), e.spatial(), e.param("weight"), e.param("bias"), eps, e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        int c = e.in().c();
        LayerNormBackward.backward(e.x(), g.dy(), e.batch(), c, e.spatial(), e.param("weight"), eps, g.dx(),
                Gradient.orScratch(g.grad("weight"), c), Gradient.orScratch(g.grad("bias"), c));
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L, $L, $L)", LayerNormReference.class, c.x(), c.in().c(), c.spatial(),
                c.weight("weight"), c.weight("bias"), Double.toString(eps), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        t.kernel(t.loops().layerNorm(t.kernelName(), t.batch(), s.c(), s.h() * s.w(), eps));
        t.call(t.kernelName(), t.x(), t.param("weight"), t.param("bias"), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of(LayerLaunches.layerNorm(g.x(), g.weight("weight"), g.weight("bias"), g.y(), g.batch(), g.in().c(), g.spatial(),
                (float) eps));
    }

    @Override
    public List<String> attributes() {
        return List.of("eps=" + IrPrinter.num(eps));
    }

    /** Over the channels: moved last, normalised on the last axis, moved back. */
    @Override
    public String onnx(OnnxCode o) {
        int c = o.in().c();
        String t = o.node("Transpose", List.of(o.x()), o.temp(), Attribute.of("perm", 0, 2, 3, 1));
        String norm = o.temp();
        o.namedNode("LayerNormalization", o.output() + "_ln", List.of(t, o.weight("weight", c), o.weight("bias", c)), norm,
                Attribute.of("axis", -1L), Attribute.of("epsilon", (float) eps));
        return o.node("Transpose", List.of(norm), o.output(), Attribute.of("perm", 0, 3, 1, 2));
    }
}
