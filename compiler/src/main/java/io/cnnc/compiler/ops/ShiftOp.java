package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.cpu.FastChannelAffine;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.reference.ShiftReference;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** A learned per-channel addend: the dual of {@link ScaleOp} (affine pieces of imported models). */
public record ShiftOp(double init) implements CommonOp {

    @Override
    public String type() {
        return "shift";
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
        ShiftReference.forward(e.x(), e.batch(), e.in().c(), e.spatial(), e.param("weight"), e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        ShiftReference.backward(g.dy(), e.batch(), e.in().c(), e.spatial(), g.dx(), g.grad("weight"));
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        return CodeBlock.of("$T.backward($L, BATCH, $L, $L, $L, $L)", ShiftReference.class, c.dy(), c.in().c(), c.spatial(), c.dx(), c.grad("weight"));
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.shift($L, BATCH, $L, $L, $L, $L, " + c.threads() + ")", FastChannelAffine.class, c.x(), c.in().c(),
                c.spatial(), c.weight("weight"), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        t.kernel(t.loops().channelAffine(t.kernelName(), t.batch(), s.c(), s.h() * s.w()));
        String a = t.buffer(s.c());
        t.setUp("java.util.Arrays.fill($L, 1f)", a);
        t.call(t.kernelName(), t.x(), a, t.param("weight"), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        int c = g.in().c();
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        return List.of(LayerLaunches.channelAffine(g.x(), g.upload(g.node().name() + " ones", ones), g.weight("weight"), g.y(),
                g.batch(), c, g.spatial()));
    }

    @Override
    public List<String> attributes() {
        return List.of("init=" + IrPrinter.num(init));
    }

    @Override
    public String onnx(OnnxCode o) {
        return o.node("Add", List.of(o.x(), o.weight("weight", o.in().c(), 1, 1)), o.output());
    }

    /** ONNX Add of a constant, and Sub of one from a value. */
    /** An Add of a constant [C] to a channel-last value (a Linear layer's bias): a shift, computed on [N, C, H, W] as it is. */
    public static final OnnxImportRule ONNX_IMPORT_CHANNELS_LAST = OnnxImportRule.pattern(Set.of("Add"), n -> {
        // PyTorch writes a Linear's bias first: Add(bias, MatMul).
        int side = n.held(0) instanceof OnnxImport.ChannelsLast ? 0 : n.node().inputs().size() == 2 && n.held(1) instanceof OnnxImport.ChannelsLast ? 1 : -1;
        if (side < 0) return false;
        OnnxImport.ChannelsLast last = (OnnxImport.ChannelsLast) n.held(side);
        io.cnnc.kernels.OnnxModel.TensorData b = n.constant(1 - side);
        if (b == null || b.floats() == null || b.floats().length != last.channels()) {
            throw new OnnxImport.Refused("a channel-last value plus anything but a constant of its " + last.channels() + " channels");
        }
        String name = n.layerName("shift");
        n.weight(name + ".weight", b.floats().clone(), last.channels());
        n.hold(last.then("shift(name=\"" + name + "\")", last.channels()));
        return true;
    });

    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Add", "Sub"), n -> {
        boolean sub = n.node().opType().equals("Sub");
        n.perChannelLayer("shift", sub ? "constant minus a value" : null, sub ? v -> -v : v -> v);
    });
}
