package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OnnxModel.TensorData;
import io.cnnc.kernels.backward.LayerNormBackward;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.reference.LayerNormReference;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

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
    public CodeBlock backward(TrainingCode c) {
        int channels = c.in().c();
        String dw = c.grad("weight");
        String db = c.grad("bias");
        return CodeBlock.of("$T.backward($L, $L, BATCH, $L, $L, $L, $L, $L, $L, $L)", LayerNormBackward.class, c.x(), c.dy(), channels, c.spatial(),
                c.param("weight"), Double.toString(eps), c.dx(), dw.equals("null") ? c.scratch(channels) : dw, db.equals("null") ? c.scratch(channels) : db);
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

    private static final long[] TO_CHANNELS_LAST = {0, 2, 3, 1};
    private static final long[] TO_CHANNELS_FIRST = {0, 3, 1, 2};

    /** How PyTorch writes a layer norm over channels (ConvNeXt's LayerNorm2d) and cnnc exports it, for messages. */
    private static final String OVER_CHANNELS = "(Transpose perm [0, 2, 3, 1], LayerNormalization axis -1, Transpose perm [0, 3, 1, 2])";

    /** The two Transposes around a layer norm over channels. */
    public static final OnnxImportRule ONNX_IMPORT_TRANSPOSE = OnnxImportRule.pattern(Set.of("Transpose"), n -> {
        long[] perm = n.node().ints("perm", new long[0]);
        if (n.held(0) instanceof OnnxImport.ChannelsLast last && Arrays.equals(perm, TO_CHANNELS_FIRST)) {
            OnnxImport.Value x = last.source();
            if (last.calls() == null) n.alias(x);
            else n.emit(x, last.calls(), last.channels(), x.h(), x.w(), x.rank());
            return true;
        }
        OnnxImport.Value x = n.computed(0);
        if (x == null || x.rank() != 4 || !Arrays.equals(perm, TO_CHANNELS_LAST)) return false;
        n.hold(new OnnxImport.ChannelsLast(x, null, x.c()));
        return true;
    });

    /** LayerNormalization over the last axis: of [N, F], or of the channel-last view between the two Transposes. */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("LayerNormalization"), n -> {
        long axis = n.node().integer("axis", -1);
        OnnxImport.ChannelsLast last = n.held(0) instanceof OnnxImport.ChannelsLast c ? c : null;
        OnnxImport.Value x = last != null ? last.source() : n.in(0);
        int channels = last != null ? last.channels() : x.c();
        boolean lastAxis = axis == -1 || axis == (last != null ? 3 : 1);
        if (!lastAxis || last == null && x.rank() != 2) {
            throw new OnnxImport.Refused("LayerNormalization over axis " + axis + " of a rank-" + (last != null ? 4 : x.rank())
                    + " value (cnnc's layernorm is over channels: of [N, F], or of [N, C, H, W] as " + OVER_CHANNELS + ")");
        }
        TensorData scale = n.constant(1);
        TensorData bias = n.constant(2);
        if (scale == null) throw new OnnxImport.Refused("the scale must be a constant");
        if (n.node().inputs().size() > 2 && !n.node().inputs().get(2).isEmpty() && bias == null) {
            throw new OnnxImport.Refused("the bias must be a constant");
        }
        String name = n.layerName("layernorm");
        n.weight(name + ".weight", OnnxImport.broadcast(scale, channels), channels);
        n.weight(name + ".bias", bias == null ? new float[channels] : OnnxImport.broadcast(bias, channels), channels);
        String call = "layernorm(eps=" + OnnxImport.fmt(n.node().number("epsilon", 1e-5f)) + ", name=\"" + name + "\")";
        if (last != null) n.hold(last.then(call, channels));
        else n.emit(x, call, x.c(), x.h(), x.w(), x.rank());
    });
}
