package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.codegen.RecordLiteral;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OutputSize;
import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.backward.PoolBackward;
import io.cnnc.kernels.cpu.BlockedPool;
import io.cnnc.kernels.cpu.FastAvgPool;
import io.cnnc.kernels.cpu.FastMaxPool;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.AvgPoolReference;
import io.cnnc.kernels.reference.MaxPoolReference;
import java.util.ArrayList;
import java.util.List;

/** Max or average pooling over a window; average counts padding, as PyTorch does by default. */
public record PoolOp(Kind kind, int kernelH, int kernelW, int strideH, int strideW,
                     int padTop, int padLeft, int padBottom, int padRight, boolean ceil) implements BlockableOp, GpuTrainable {

    public enum Kind { MAX, AVG }

    @Override
    public String type() {
        return kind == Kind.MAX ? "maxpool" : "avgpool";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape in = inputs.getFirst();
        int h = OutputSize.pool(in.h(), kernelH, strideH, padTop, padBottom, ceil);
        int w = OutputSize.pool(in.w(), kernelW, strideW, padLeft, padRight, ceil);
        if (h <= 0 || w <= 0) {
            throw new ShapeException("output size would be " + h + "x" + w + ": input " + in.h() + "x" + in.w()
                    + " is too small for a " + kernelH + "x" + kernelW + " window with stride " + strideH + "x" + strideW);
        }
        return new Shape(in.c(), h, w);
    }

    /** The kernels' description of this pooling applied to an input of shape {@code in}. */
    public PoolGeometry geometry(Shape in) {
        return new PoolGeometry(in.c(), in.h(), in.w(), kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, ceil);
    }

    @Override
    public Window window(List<Shape> inputs) {
        return new Window(kernelH, kernelW, strideH, strideW, 1, 1);
    }

    @Override
    public void reference(Eval e) {
        if (kind == Kind.MAX) MaxPoolReference.forward(e.x(), e.batch(), geometry(e.in()), e.output());
        else AvgPoolReference.forward(e.x(), e.batch(), geometry(e.in()), e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        if (g.dx() == null) return;
        if (kind == Kind.MAX) PoolBackward.max(e.x(), g.dy(), e.batch(), geometry(e.in()), g.dx());
        else PoolBackward.average(g.dy(), e.batch(), geometry(e.in()), g.dx());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.forward($L, BATCH, $L, $L, " + c.threads() + ")", kind == Kind.MAX ? FastMaxPool.class : FastAvgPool.class,
                c.x(), RecordLiteral.of(geometry(c.in())), c.y());
    }

    @Override
    public CodeBlock cpuBlocked(CpuCode c) {
        return CodeBlock.of("$T.max($L, BATCH, $L, $L, " + c.threads() + ")", BlockedPool.class, c.x(), RecordLiteral.of(geometry(c.in())), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        t.kernel(t.loops().pool(t.kernelName(), geometry(t.in()), t.batch(), kind == Kind.MAX));
        t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        PoolGeometry geometry = geometry(g.in());
        return List.of(kind == Kind.MAX ? LayerLaunches.maxPool(g.x(), g.y(), g.batch(), geometry)
                : LayerLaunches.avgPool(g.x(), g.y(), g.batch(), geometry));
    }

    @Override
    public List<String> attributes() {
        return List.of("kernel=" + kernelH + "x" + kernelW, "stride=" + strideH + "x" + strideW,
                "pad=" + padTop + "," + padLeft + "," + padBottom + "," + padRight, "ceil=" + ceil);
    }

    /** Average pooling counts padding, as PyTorch does by default. */
    @Override
    public String onnx(OnnxCode o) {
        List<Attribute> a = new ArrayList<>(List.of(Attribute.of("kernel_shape", kernelH, kernelW), Attribute.of("strides", strideH, strideW),
                Attribute.of("pads", padTop, padLeft, padBottom, padRight), Attribute.of("ceil_mode", ceil ? 1L : 0L)));
        if (kind == Kind.AVG) a.add(Attribute.of("count_include_pad", 1L));
        return o.node(kind == Kind.MAX ? "MaxPool" : "AveragePool", List.of(o.x()), o.output(), a.toArray(Attribute[]::new));
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        PoolGeometry g = geometry(t.in());
        return List.of(kind == Kind.MAX ? LayerLaunches.maxPool(t.x(), t.y(), t.batch(), g) : LayerLaunches.avgPool(t.x(), t.y(), t.batch(), g));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (!t.needsDx(0)) return;
        float beta = t.beta(0);
        PoolGeometry g = geometry(t.in());
        out.add(kind == Kind.MAX ? TrainingLaunches.maxPoolBackward(t.x(), t.dy(), t.dx(0), t.batch(), g, beta)
                : TrainingLaunches.avgPoolBackward(t.dy(), t.dx(0), t.batch(), g, beta));
    }
}
