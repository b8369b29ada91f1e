package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.backward.ScaleBackward;
import io.cnnc.kernels.cpu.FastChannelAffine;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.reference.ScaleReference;
import java.util.List;
import java.util.Set;

/** A learned per-channel multiplier (ConvNeXt's layer scale). */
public record ScaleOp(double init) implements CommonOp {

    @Override
    public String type() {
        return "scale";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        return List.of(new ParamSpec("weight", new int[] {inputs.getFirst().c()}, true, Init.constant(init)));
    }

    @Override
    public void reference(Eval e) {
        ScaleReference.forward(e.x(), e.batch(), e.in().c(), e.spatial(), e.param("weight"), e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        int c = e.in().c();
        ScaleBackward.backward(e.x(), g.dy(), e.batch(), c, e.spatial(), e.param("weight"), g.dx(), Gradient.orScratch(g.grad("weight"), c));
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        int channels = c.in().c();
        String dw = c.grad("weight");
        return CodeBlock.of("$T.backward($L, $L, BATCH, $L, $L, $L, $L, $L)", ScaleBackward.class, c.x(), c.dy(), channels, c.spatial(),
                c.param("weight"), c.dx(), dw.equals("null") ? c.scratch(channels) : dw);
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.scale($L, BATCH, $L, $L, $L, $L, " + c.threads() + ")", FastChannelAffine.class, c.x(), c.in().c(),
                c.spatial(), c.weight("weight"), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        t.kernel(t.loops().channelAffine(t.kernelName(), t.batch(), s.c(), s.h() * s.w()));
        String b = t.buffer(s.c());
        t.call(t.kernelName(), t.x(), t.param("weight"), b, t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        int c = g.in().c();
        return List.of(LayerLaunches.channelAffine(g.x(), g.weight("weight"), g.upload(g.node().name() + " zeros", new float[c]), g.y(),
                g.batch(), c, g.spatial()));
    }

    @Override
    public List<String> attributes() {
        return List.of("init=" + IrPrinter.num(init));
    }

    @Override
    public String onnx(OnnxCode o) {
        return o.node("Mul", List.of(o.x(), o.weight("weight", o.in().c(), 1, 1)), o.output());
    }

    /** ONNX Mul by a constant, and Div of a value by one. */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Mul", "Div"), n -> {
        boolean div = n.node().opType().equals("Div");
        n.perChannelLayer("scale", div ? "constant divided by a value" : null, div ? v -> 1 / v : v -> v);
    });
}
