package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.codegen.RecordLiteral;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OnnxModel.TensorData;
import io.cnnc.kernels.cpu.TransposedConv;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.ConvBuffers;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.TransposedConvReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Transposed convolution, as PyTorch's {@code nn.ConvTranspose2d} (and ONNX's ConvTranspose):
 * the gradient of a convolution with respect to its input, used to up-sample. Output size
 * {@code (in - 1) * stride - padBegin - padEnd + dilation * (kernel - 1) + outputPad + 1}; weight
 * {@code [inC, outC / groups, kH, kW]} as PyTorch stores it. Every kernel works on
 * {@link #transposed}, the convolution from this layer's output back to its input.
 */
public record DeconvOp(int outChannels, int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft, int padBottom,
                       int padRight, int outPadH, int outPadW, int dilationH, int dilationW, int groups, boolean bias)
        implements CommonOp, GpuTrainable {

    public DeconvOp {
        if (outPadH >= Math.max(strideH, dilationH) || outPadW >= Math.max(strideW, dilationW)) {
            throw new IllegalArgumentException("output padding must be smaller than the stride or the dilation");
        }
    }

    @Override
    public String type() {
        return "deconv";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape in = inputs.getFirst();
        if (in.c() % groups != 0) throw new ShapeException("input channels " + in.c() + " are not divisible by groups=" + groups);
        if (outChannels % groups != 0) throw new ShapeException("output channels " + outChannels + " are not divisible by groups=" + groups);
        int h = (in.h() - 1) * strideH - padTop - padBottom + dilationH * (kernelH - 1) + outPadH + 1;
        int w = (in.w() - 1) * strideW - padLeft - padRight + dilationW * (kernelW - 1) + outPadW + 1;
        if (h <= 0 || w <= 0) {
            throw new ShapeException("output size would be " + h + "x" + w + ": padding " + padTop + "," + padLeft + " crops more than kernel "
                    + kernelH + "x" + kernelW + " at stride " + strideH + "x" + strideW + " adds to the " + in.h() + "x" + in.w() + " input");
        }
        return new Shape(outChannels, h, w);
    }

    /** The convolution this layer transposes: from its output ({@code out}) back to its input. */
    public ConvGeometry transposed(Shape in) {
        int h = (in.h() - 1) * strideH - padTop - padBottom + dilationH * (kernelH - 1) + outPadH + 1;
        int w = (in.w() - 1) * strideW - padLeft - padRight + dilationW * (kernelW - 1) + outPadW + 1;
        return new ConvGeometry(outChannels, h, w, in.c(), kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
                dilationH, dilationW, groups);
    }

    /** PyTorch's initialisation: fan-in from the weight's second dimension, as for ConvTranspose2d. */
    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        int fanIn = outChannels / groups * kernelH * kernelW;
        List<ParamSpec> out = new ArrayList<>();
        out.add(new ParamSpec("weight", new int[] {inputs.getFirst().c(), outChannels / groups, kernelH, kernelW}, true, Init.kaimingUniform(fanIn)));
        if (bias) out.add(new ParamSpec("bias", new int[] {outChannels}, true, Init.fanInUniform(fanIn)));
        return out;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return inputs.getFirst().size() * (outChannels / groups) * kernelH * kernelW;
    }

    /**
     * Each output reads the inputs within {@code ceil(kernel / stride)} of it. The true stride is
     * 1/stride, which a Window cannot hold, so later receptive fields are upper bounds (stride 1).
     */
    @Override
    public Window window(List<Shape> inputs) {
        return new Window((dilationH * (kernelH - 1)) / strideH + 1, (dilationW * (kernelW - 1)) / strideW + 1, 1, 1, 1, 1);
    }

    @Override
    public List<String> attributes() {
        return List.of("out=" + outChannels, "kernel=" + kernelH + "x" + kernelW, "stride=" + strideH + "x" + strideW,
                "pad=" + padTop + "," + padLeft + "," + padBottom + "," + padRight, "output_pad=" + outPadH + "x" + outPadW,
                "dilation=" + dilationH + "x" + dilationW, "groups=" + groups, "bias=" + bias);
    }

    @Override
    public void reference(Eval e) {
        TransposedConvReference.forward(e.x(), e.batch(), transposed(e.in()), e.param("weight"), bias ? e.param("bias") : null, e.output());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L)", TransposedConv.class, c.x(), RecordLiteral.of(transposed(c.in())),
                c.weight("weight"), bias ? c.weight("bias") : "null", c.y());
    }

    /** dx is written in full (a convolution's forward); weight and bias gradients are added into. */
    @Override
    public boolean overwrites() {
        return true;
    }

    /** The weight gradient reads the input; nothing reads the output. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.INPUTS;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        TransposedConv.backward(e.x(), g.dy(), e.batch(), transposed(e.in()), e.param("weight"), g.dx(), g.grad("weight"),
                bias ? g.grad("bias") : null);
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        return CodeBlock.of("$T.backward($L, $L, BATCH, $L, $L, $L, $L, $L)", TransposedConv.class, c.x(), c.dy(), RecordLiteral.of(transposed(c.in())),
                c.param("weight"), c.dx(), c.grad("weight"), bias ? c.grad("bias") : "null");
    }

    /** The gather form: each output sums the inputs whose window covers it, as the reference does. */
    @Override
    public void tornado(TornadoCode t) {
        ConvGeometry g = transposed(t.in());
        int inPerGroup = g.inC() / g.groups(), outPerGroup = g.outC() / g.groups();
        MethodSpec.Builder m = bias ? t.loops().method(t.kernelName(), "x", "w", "b", "y") : t.loops().method(t.kernelName(), "x", "w", "y");
        m.beginControlFlow("$L", t.loops().loop("p", (long) t.batch() * g.inC() * g.inH() * g.inW()));
        m.addStatement("int px = p % $L", g.inW()).addStatement("int py = (p / $L) % $L", g.inW(), g.inH())
                .addStatement("int c = (p / $L) % $L", g.inH() * g.inW(), g.inC()).addStatement("int n = p / $L", g.inC() * g.inH() * g.inW());
        m.addStatement("float sum = $L", bias ? "b[c]" : "0f");
        m.beginControlFlow("for (int o = 0; o < $L; o++)", outPerGroup).addStatement("int oc = (c / $L) * $L + o", inPerGroup, outPerGroup);
        m.beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kernelH()).addStatement("int ty = py + $L - ky * $L", g.padTop(), g.dilationH());
        m.beginControlFlow("for (int kx = 0; kx < $L; kx++)", g.kernelW()).addStatement("int tx = px + $L - kx * $L", g.padLeft(), g.dilationW());
        m.beginControlFlow("if (ty >= 0 && tx >= 0 && ty % $L == 0 && tx % $L == 0 && ty / $L < $L && tx / $L < $L)", g.strideH(), g.strideW(),
                g.strideH(), g.outH(), g.strideW(), g.outW());
        m.addStatement("sum += x[((n * $L + oc) * $L + ty / $L) * $L + tx / $L] * w[((oc * $L + c % $L) * $L + ky) * $L + kx]", g.outC(), g.outH(),
                g.strideH(), g.outW(), g.strideW(), inPerGroup, inPerGroup, g.kernelH(), g.kernelW());
        m.endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        m.addStatement("y[p] = sum");
        m.endControlFlow();
        t.kernel(m.build());
        if (bias) t.call(t.kernelName(), t.x(), t.param("weight"), t.param("bias"), t.y());
        else t.call(t.kernelName(), t.x(), t.param("weight"), t.y());
    }

    /** The transposed convolution's data-gradient kernel, then the bias per channel. */
    @Override
    public List<Launch> gpu(GpuCode g) {
        return forward(g.x(), g.weight("weight"), bias ? g.weight("bias") : Arg.NO_BUFFER,
                bias ? g.upload(g.node().name() + " ones", ones()) : Arg.NO_BUFFER, g.y(), g.batch(), transposed(g.in()));
    }

    private List<Launch> forward(int x, int w, int b, int ones, int y, int batch, ConvGeometry g) {
        List<Launch> out = new ArrayList<>(List.of(TrainingLaunches.convBackwardData(x, w, y, batch, g, 0f)));
        if (b != Arg.NO_BUFFER) out.add(LayerLaunches.channelAffine(y, ones, b, y, batch, g.inC(), g.inH() * g.inW()));
        return out;
    }

    private float[] ones() {
        float[] a = new float[outChannels];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return forward(t.x(), t.param("weight"), bias ? t.param("bias") : Arg.NO_BUFFER,
                bias ? t.constant(t.node().name() + " ones", ones()) : Arg.NO_BUFFER, t.y(), t.batch(), transposed(t.in()));
    }

    /**
     * dx is the transposed convolution's forward (the tiled GEMM), into scratch and added as the
     * plan's beta says; the weight gradient that convolution's with input and output gradient swapped.
     */
    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        ConvGeometry g = transposed(t.in());
        if (!t.frozen()) {
            long partials = TrainingLaunches.weightGradientWorkspace(g, t.batch());
            int scratch = partials == 0 ? Arg.NO_BUFFER : t.workspace(t.node().name() + " weight gradient partial sums", partials);
            out.addAll(TrainingLaunches.convBackwardWeight(t.dy(), t.x(), t.grad("weight"), scratch, t.batch(), g, 0f));
            if (bias) out.add(TrainingLaunches.channelSum(t.dy(), t.grad("bias"), t.batch(), g.inC(), g.inH() * g.inW(), 0f));
        }
        if (!t.needsDx(0)) return;
        int dx = t.workspace(t.node().name() + " input gradient", t.count());
        out.addAll(GpuConvStrategy.GEMM.launches(g, t.batch(), new ConvBuffers(t.dy(), t.param("weight"), Arg.NO_BUFFER, Arg.NO_BUFFER, dx),
                GpuActivation.NONE, 0f));
        out.add(TrainingLaunches.accumulate(dx, Arg.NO_BUFFER, t.dx(0), t.count(), t.beta(0)));
    }

    @Override
    public String onnx(OnnxCode o) {
        List<String> in = new ArrayList<>(List.of(o.x(), o.weight("weight", o.in().c(), outChannels / groups, kernelH, kernelW)));
        if (bias) in.add(o.weight("bias", outChannels));
        return o.namedNode("ConvTranspose", o.output(), in, o.output(), Attribute.of("kernel_shape", kernelH, kernelW),
                Attribute.of("strides", strideH, strideW), Attribute.of("pads", padTop, padLeft, padBottom, padRight),
                Attribute.of("output_padding", outPadH, outPadW), Attribute.of("dilations", dilationH, dilationW),
                Attribute.of("group", (long) groups));
    }

    /**
     * ONNX ConvTranspose: constant weight [C, M/group, kH, kW] and bias, strides, explicit pads,
     * output_padding, dilations and group. An output_shape or auto_pad (sizes the exporter
     * leaves to the runtime) is refused by name: PyTorch writes explicit pads.
     */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("ConvTranspose"), DeconvOp::fromOnnx);

    private static void fromOnnx(OnnxImport n) throws OnnxImport.Refused {
        OnnxImport.Value x = n.in(0);
        if (x.rank() != 4) throw new OnnxImport.Refused("a rank-" + x.rank() + " input (cnnc's deconv takes [N, C, H, W])");
        TensorData w = n.constant(1);
        if (w == null || w.dims().length != 4 || w.dims()[0] != x.c()) {
            throw new OnnxImport.Refused("weights must be a constant [" + x.c() + ", M/group, kH, kW]");
        }
        if (n.node().ints("output_shape", null) != null) throw new OnnxImport.Refused("output_shape (give pads and output_padding, as PyTorch exports)");
        if (!n.node().string("auto_pad", "NOTSET").equals("NOTSET")) throw new OnnxImport.Refused("auto_pad (give explicit pads, as PyTorch exports)");
        long group = n.node().integer("group", 1);
        if (group <= 0 || x.c() % group != 0) throw new OnnxImport.Refused("group " + group + " does not divide the " + x.c() + " input channels");
        int kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        int out = Math.toIntExact(w.dims()[1] * group);
        long[] s = n.twoPositive("strides");
        long[] d = n.twoPositive("dilations");
        long[] p = n.node().ints("pads", new long[] {0, 0, 0, 0});
        long[] op = n.node().ints("output_padding", new long[] {0, 0});
        if (p.length != 4 || op.length != 2) throw new OnnxImport.Refused("pads and output_padding must be for 2-D");
        for (long v : p) if (v < 0) throw new OnnxImport.Refused("negative pads");
        if (op[0] < 0 || op[1] < 0 || op[0] >= Math.max(s[0], d[0]) || op[1] >= Math.max(s[1], d[1])) {
            throw new OnnxImport.Refused("output_padding " + java.util.Arrays.toString(op) + " (each must be below its stride or dilation)");
        }
        String name = n.layerName("deconv");
        n.weight(name + ".weight", OnnxImport.floats(w, "weights '" + w.name() + "'"), x.c(), (int) w.dims()[1], kh, kw);
        TensorData b = n.constant(2);
        if (b != null) n.weight(name + ".bias", OnnxImport.broadcast(b, out), out);
        int h = (int) ((x.h() - 1) * s[0] - p[0] - p[2] + d[0] * (kh - 1) + op[0] + 1);
        int wd = (int) ((x.w() - 1) * s[1] - p[1] - p[3] + d[1] * (kw - 1) + op[1] + 1);
        String pad = p[0] == p[2] && p[1] == p[3] ? OnnxImport.pair(p[0], p[1]) : "(" + p[0] + ", " + p[1] + ", " + p[2] + ", " + p[3] + ")";
        n.emit(x, "deconv(" + out + ", " + OnnxImport.pair(kh, kw) + ", stride=" + OnnxImport.pair(s[0], s[1]) + ", pad=" + pad
                + (op[0] != 0 || op[1] != 0 ? ", output_pad=" + OnnxImport.pair(op[0], op[1]) : "")
                + (d[0] != 1 || d[1] != 1 ? ", dilation=" + OnnxImport.pair(d[0], d[1]) : "") + (group != 1 ? ", groups=" + group : "")
                + ", bias=" + (b != null) + ", name=\"" + name + "\")", out, h, wd, 4);
    }
}
