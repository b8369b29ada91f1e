package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.codegen.RecordLiteral;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.target.gpu.GpuConvChooser;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OnnxModel.TensorData;
import io.cnnc.kernels.OutputSize;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.ConvBuffers;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.ConvReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** 2-D convolution, grouped and dilated; {@code dwconv} is this with groups = input channels. */
public record ConvOp(String type, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                     int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW,
                     int groups, boolean bias) implements SourceOp, GpuTrainable {

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape in = inputs.getFirst();
        if (in.c() % groups != 0) {
            throw new ShapeException("input channels " + in.c() + " are not divisible by groups=" + groups);
        }
        if (outChannels % groups != 0) {
            throw new ShapeException("output channels " + outChannels + " are not divisible by groups=" + groups);
        }
        int h = OutputSize.conv(in.h(), kernelH, strideH, padTop, padBottom, dilationH);
        int w = OutputSize.conv(in.w(), kernelW, strideW, padLeft, padRight, dilationW);
        if (h <= 0 || w <= 0) {
            throw new ShapeException("output size would be " + h + "x" + w + ": input " + in.h() + "x" + in.w()
                    + " is too small for kernel " + kernelH + "x" + kernelW
                    + (dilationH > 1 || dilationW > 1 ? " dilated " + dilationH + "x" + dilationW : "")
                    + " with padding " + padTop + "," + padLeft + " and stride " + strideH + "x" + strideW);
        }
        return new Shape(outChannels, h, w);
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        int inPerGroup = inputs.getFirst().c() / groups;
        int fanIn = inPerGroup * kernelH * kernelW;
        List<ParamSpec> out = new ArrayList<>();
        out.add(new ParamSpec("weight", new int[] {outChannels, inPerGroup, kernelH, kernelW}, true, Init.kaimingUniform(fanIn)));
        if (bias) out.add(new ParamSpec("bias", new int[] {outChannels}, true, Init.fanInUniform(fanIn)));
        return out;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return output.size() * (inputs.getFirst().c() / groups) * kernelH * kernelW;
    }

    /** The kernels' description of this convolution applied to an input of shape {@code in}. */
    public ConvGeometry geometry(Shape in) {
        return new ConvGeometry(in.c(), in.h(), in.w(), outChannels, kernelH, kernelW, strideH, strideW,
                padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups);
    }

    @Override
    public Window window(List<Shape> inputs) {
        return new Window(kernelH, kernelW, strideH, strideW, dilationH, dilationW);
    }

    @Override
    public void reference(Eval e) {
        ConvReference.forward(e.x(), e.batch(), geometry(e.in()), e.param("weight"), bias ? e.param("bias") : null, e.output());
    }

    /** The step's conv runner: the strategies the training plan chose, or im2col and GEMM (the reference loops are too slow to train with). */
    @Override
    public void trainingForward(Eval e, TrainingStep step) {
        step.conv().forward(geometry(e.in()), e.x(), e.param("weight"), bias ? e.param("bias") : null, e.output(), e.batch(), step.relu());
    }

    @Override
    public CodeBlock trainingForward(TrainingCode c) {
        return CodeBlock.of("$L.forward($L, $L, $L, $L, $L, BATCH, $L)", c.conv(), RecordLiteral.of(geometry(c.in())), c.x(), c.param("weight"),
                bias ? c.param("bias") : "null", c.y(), c.relu());
    }

    @Override
    public BlockedTraining blockedTraining() {
        return BlockedTraining.ANY;
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        return CodeBlock.of("$L.backward($L, $L, $L, $L, $L, $L, $L, BATCH, $L)", c.conv(), RecordLiteral.of(geometry(c.in())), c.x(), c.dy(),
                c.param("weight"), c.dx(), c.grad("weight"), bias ? c.grad("bias") : "null", c.reluOutput());
    }

    @Override
    public boolean overwrites() {
        return true;
    }

    /** In the forward's epilogue, and as a mask on dy before the backward's convolutions read it. */
    @Override
    public boolean absorbsRelu() {
        return true;
    }

    /** The gradient rule reads the input, not the output. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.INPUTS;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        g.conv().backward(geometry(e.in()), e.x(), g.dy(), e.param("weight"), g.dx(), g.grad("weight"), bias ? g.grad("bias") : null, e.batch(),
                g.reluOutput());
    }

    @Override
    public List<String> attributes() {
        return List.of("out=" + outChannels, "kernel=" + kernelH + "x" + kernelW, "stride=" + strideH + "x" + strideW,
                "pad=" + padTop + "," + padLeft + "," + padBottom + "," + padRight, "dilation=" + dilationH + "x" + dilationW,
                "groups=" + groups, "bias=" + bias);
    }

    @Override
    public String onnx(OnnxCode o) {
        List<String> in = new ArrayList<>(List.of(o.x(), o.weight("weight", outChannels, o.in().c() / groups, kernelH, kernelW)));
        if (bias) in.add(o.weight("bias", outChannels));
        return o.namedNode("Conv", o.output(), in, o.output(), Attribute.of("kernel_shape", kernelH, kernelW),
                Attribute.of("strides", strideH, strideW), Attribute.of("pads", padTop, padLeft, padBottom, padRight),
                Attribute.of("dilations", dilationH, dilationW), Attribute.of("group", (long) groups));
    }

    /** The inference rules' strategy, but Winograd, whose host-transformed weights would go stale as they move: GEMM there. */
    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        ConvGeometry g = geometry(t.in());
        GpuConvStrategy strategy = GpuConvChooser.choose(g).strategy();
        if (strategy == GpuConvStrategy.WINOGRAD) strategy = GpuConvStrategy.GEMM;
        return strategy.launches(g, t.batch(), new ConvBuffers(t.x(), t.param("weight"), bias ? t.param("bias") : Arg.NO_BUFFER,
                Arg.NO_BUFFER, t.y()), GpuActivation.NONE, 0f);
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        ConvGeometry g = geometry(t.in());
        if (!t.frozen()) {
            out.addAll(TrainingLaunches.convBackwardWeight(t.x(), t.dy(), t.grad("weight"), t.partials(), t.batch(), g, 0f));
            if (bias) out.add(TrainingLaunches.channelSum(t.dy(), t.grad("bias"), t.batch(), g.outC(), g.outH() * g.outW(), 0f));
        }
        if (t.needsDx(0)) out.add(TrainingLaunches.convBackwardData(t.dy(), t.param("weight"), t.dx(0), t.batch(), g, t.beta(0)));
    }

    /** ONNX Conv; a Pad of zeros before it becomes part of its padding. */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Conv"), ConvOp::fromOnnx);

    /**
     * A MatMul of a channel-last value by a constant [C, M] (ConvNeXt's Linear layers between its
     * Transposes): a 1x1 conv to M channels, the weights transposed to [M, C, 1, 1].
     */
    public static final OnnxImportRule ONNX_IMPORT_CHANNELS_LAST = OnnxImportRule.pattern(Set.of("MatMul"), n -> {
        if (!(n.held(0) instanceof OnnxImport.ChannelsLast last)) return false;
        TensorData b = n.constant(1);
        if (b == null || b.dims().length != 2 || b.dims()[0] != last.channels()) {
            throw new OnnxImport.Refused("a channel-last value times anything but a constant [" + last.channels() + ", M]");
        }
        int c = last.channels();
        int m = (int) b.dims()[1];
        String name = n.layerName("conv");
        n.weight(name + ".weight", OnnxImport.transpose(OnnxImport.floats(b, "B"), c, m), m, c, 1, 1);
        n.hold(last.then("conv(" + m + ", 1, bias=false, name=\"" + name + "\")", m));
        return true;
    });

    private static void fromOnnx(OnnxImport n) throws OnnxImport.Refused {
        OnnxImport.ZeroPad extra = n.held(0) instanceof OnnxImport.ZeroPad p ? p : null;
        OnnxImport.Value x = extra != null ? extra.source() : n.in(0);
        TensorData w = n.constant(1);
        if (w == null || w.dims().length != 4) throw new OnnxImport.Refused("weights must be a constant [M, C/group, kH, kW]");
        float[] weightValues = OnnxImport.floats(w, "weights '" + w.name() + "'");
        TensorData b = n.constant(2);
        for (long size : w.dims()) {
            if (size <= 0) throw new OnnxImport.Refused("weights '" + w.name() + "' have shape " + java.util.Arrays.toString(w.dims()) + " (sizes must be positive)");
        }
        int out = (int) w.dims()[0];
        int kh = (int) w.dims()[2];
        int kw = (int) w.dims()[3];
        long[] s = n.twoPositive("strides");
        long[] d = n.twoPositive("dilations");
        long group = n.node().integer("group", 1);
        if (group <= 0 || group > x.c() || x.c() % group != 0) {
            throw new OnnxImport.Refused("group " + group + " does not divide the " + x.c() + " input channels");
        }
        int[] pad = n.pads(x, kh, kw, (int) s[0], (int) s[1], (int) d[0], (int) d[1]);
        if (extra != null) pad = new int[] {pad[0] + extra.top(), pad[1] + extra.left(), pad[2] + extra.bottom(), pad[3] + extra.right()};
        String name = n.layerName("conv");
        n.weight(name + ".weight", weightValues, out, (int) w.dims()[1], kh, kw);
        if (b != null) n.weight(name + ".bias", OnnxImport.broadcast(b, out), out);
        int oh = OutputSize.conv(x.h(), kh, (int) s[0], pad[0], pad[2], (int) d[0]);
        int ow = OutputSize.conv(x.w(), kw, (int) s[1], pad[1], pad[3], (int) d[1]);
        n.emit(x, "conv(" + out + ", " + OnnxImport.pair(kh, kw) + ", stride=" + OnnxImport.pair(s[0], s[1]) + ", pad=" + padText(pad, x, kh, kw, s, d)
                + (d[0] != 1 || d[1] != 1 ? ", dilation=" + OnnxImport.pair(d[0], d[1]) : "") + (group != 1 ? ", groups=" + group : "")
                + ", bias=" + (b != null) + ", name=\"" + name + "\")", out, oh, ow, 4);
    }

    /** .cnn padding text: symmetric pairs, or "same" when the asymmetric pads are exactly TF-style same. */
    private static String padText(int[] p, OnnxImport.Value x, int kh, int kw, long[] s, long[] d) {
        if (p[0] == p[2] && p[1] == p[3]) return OnnxImport.pair(p[0], p[1]);
        int[] h = OnnxImport.same(x.h(), kh, (int) s[0], (int) d[0], false);
        int[] w = OnnxImport.same(x.w(), kw, (int) s[1], (int) d[1], false);
        if (p[0] == h[0] && p[2] == h[1] && p[1] == w[0] && p[3] == w[1]) return "\"same\"";
        return "(" + p[0] + ", " + p[1] + ", " + p[2] + ", " + p[3] + ")";
    }
}
