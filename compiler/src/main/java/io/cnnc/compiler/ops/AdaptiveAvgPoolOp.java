package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.backward.PoolBackward;
import io.cnnc.kernels.cpu.FastAdaptiveAvgPool;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.AdaptiveAvgPoolReference;
import java.util.List;

/** Average pooling to a fixed output size, with PyTorch's bin edges. */
public record AdaptiveAvgPoolOp(int outH, int outW) implements CommonOp, GpuTrainable {

    @Override
    public String type() {
        return "adaptiveavgpool";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return new Shape(inputs.getFirst().c(), outH, outW);
    }

    /** The widest bin, ceil(in/out) (+1 where bins overlap), bounds what one output reads. */
    @Override
    public Window window(List<Shape> inputs) {
        Shape in = inputs.getFirst();
        int kh = Math.min(in.h(), -Math.floorDiv(-in.h(), outH) + (in.h() % outH == 0 ? 0 : 1));
        int kw = Math.min(in.w(), -Math.floorDiv(-in.w(), outW) + (in.w() % outW == 0 ? 0 : 1));
        return new Window(kh, kw, Math.max(1, in.h() / outH), Math.max(1, in.w() / outW), 1, 1);
    }

    @Override
    public void reference(Eval e) {
        Shape s = e.in();
        AdaptiveAvgPoolReference.forward(e.x(), e.batch(), s.c(), s.h(), s.w(), outH, outW, e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        Shape s = e.in();
        if (g.dx() != null) PoolBackward.adaptiveAverage(g.dy(), e.batch(), s.c(), s.h(), s.w(), outH, outW, g.dx());
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        Shape s = c.in();
        return CodeBlock.of("$T.adaptiveAverage($L, BATCH, $L, $L, $L, $L, $L, $L)", PoolBackward.class, c.dy(), s.c(), s.h(), s.w(), outH, outW, c.dx());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        Shape s = c.in();
        return CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L, $L, $L, " + c.threads() + ")", FastAdaptiveAvgPool.class, c.x(),
                s.c(), s.h(), s.w(), outH, outW, c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        t.kernel(t.loops().adaptiveAvgPool(t.kernelName(), t.batch() * s.c(), s.h(), s.w(), outH, outW));
        t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        Shape s = g.in();
        return List.of(LayerLaunches.adaptiveAvgPool(g.x(), g.y(), g.batch() * s.c(), s.h(), s.w(), outH, outW));
    }

    @Override
    public List<String> attributes() {
        return List.of("out=" + outH + "x" + outW);
    }

    /** An average pool where the bins are all alike, that is where the sizes divide. */
    @Override
    public String onnx(OnnxCode o) {
        Shape s = o.in();
        if (outH == 1 && outW == 1) return o.node("GlobalAveragePool", List.of(o.x()), o.output());
        if (s.h() % outH != 0 || s.w() % outW != 0) {
            throw new UnsupportedOperationException("adaptiveavgpool from " + s.h() + "x" + s.w() + " to " + outH + "x" + outW
                    + " has no ONNX equivalent (sizes must divide)");
        }
        int kh = s.h() / outH;
        int kw = s.w() / outW;
        return o.node("AveragePool", List.of(o.x()), o.output(), Attribute.of("kernel_shape", kh, kw), Attribute.of("strides", kh, kw));
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        Shape s = t.in();
        return List.of(LayerLaunches.adaptiveAvgPool(t.x(), t.y(), t.batch() * s.c(), s.h(), s.w(), outH, outW));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (!t.needsDx(0)) return;
        float beta = t.beta(0);
        Shape s = t.in();
        out.add(TrainingLaunches.adaptiveAvgPoolBackward(t.dy(), t.dx(0), t.batch() * s.c(), s.h(), s.w(), outH, outW, beta));
    }
}
