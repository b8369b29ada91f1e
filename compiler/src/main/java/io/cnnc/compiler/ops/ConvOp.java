package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.target.gpu.GpuConvChooser;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OutputSize;
import io.cnnc.kernels.cpu.Im2colConv;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.ConvBuffers;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.ConvReference;
import java.util.ArrayList;
import java.util.List;

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

    /** im2col and the blocked GEMM: the reference loops are too slow to train with. */
    @Override
    public void trainingForward(Eval e, TrainingStep step) {
        Im2colConv.forward(e.x(), e.batch(), geometry(e.in()), e.param("weight"), bias ? e.param("bias") : null, e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        Im2colConv.backward(e.x(), g.dy(), e.batch(), geometry(e.in()), e.param("weight"), g.dx(), g.grad("weight"),
                bias ? g.grad("bias") : null);
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
        out.addAll(TrainingLaunches.convBackwardWeight(t.x(), t.dy(), t.grad("weight"), t.partials(), t.batch(), g, 0f));
        if (bias) out.add(TrainingLaunches.channelSum(t.dy(), t.grad("bias"), t.batch(), g.outC(), g.outH() * g.outW(), 0f));
        if (t.needsDx(0)) out.add(TrainingLaunches.convBackwardData(t.dy(), t.param("weight"), t.dx(0), t.batch(), g, t.beta(0)));
    }
}
