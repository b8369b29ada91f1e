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
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.AvgPoolReference;
import io.cnnc.kernels.reference.MaxPoolReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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

    /**
     * The vectorized inference kernels (the same maxima; averages summed in another order),
     * on the caller's thread: the reference loops took 40% of a LeNet-5 training step.
     */
    @Override
    public void trainingForward(Eval e, TrainingStep step) {
        if (kind == Kind.MAX) FastMaxPool.forward(e.x(), e.batch(), geometry(e.in()), e.output(), Parallel.serial());
        else FastAvgPool.forward(e.x(), e.batch(), geometry(e.in()), e.output(), Parallel.serial());
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        if (kind == Kind.MAX) return CodeBlock.of("$T.max($L, $L, BATCH, $L, $L)", PoolBackward.class, c.x(), c.dy(), RecordLiteral.of(geometry(c.in())), c.dx());
        return CodeBlock.of("$T.average($L, BATCH, $L, $L)", PoolBackward.class, c.dy(), RecordLiteral.of(geometry(c.in())), c.dx());
    }

    @Override
    public boolean overwrites() {
        return true;
    }

    /** Max pooling finds its winners in the input; average pooling spreads the gradient by shape alone. */
    @Override
    public BackwardReads backwardReads() {
        return kind == Kind.MAX ? BackwardReads.INPUTS : BackwardReads.NOTHING;
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

    /** ONNX MaxPool and AveragePool; zeros a Pad puts before an average pooling become its padding. */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("MaxPool", "AveragePool"), PoolOp::fromOnnx);

    private static void fromOnnx(OnnxImport n) throws OnnxImport.Refused {
        OnnxImport.ZeroPad extra = n.held(0) instanceof OnnxImport.ZeroPad p ? p : null;
        OnnxImport.Value x = extra != null ? extra.source() : n.in(0);
        if (n.node().ints("kernel_shape", null) == null) throw new OnnxImport.Refused("needs a 2-D kernel_shape");
        long[] k = n.twoPositive("kernel_shape");
        long[] s = n.twoPositive("strides");
        long[] d = n.twoPositive("dilations");
        if (d[0] != 1 || d[1] != 1) throw new OnnxImport.Refused("dilated pooling");
        int[] p = n.pads(x, (int) k[0], (int) k[1], (int) s[0], (int) s[1], 1, 1);
        boolean ceil = n.node().integer("ceil_mode", 0) == 1;
        boolean avg = n.node().opType().equals("AveragePool");
        if (extra != null) {
            // Explicit zeros are real inputs: max pooling could pick them, average pooling counts them.
            if (!avg) throw new OnnxImport.Refused("max pooling over explicit zero padding");
            if (p[0] + p[1] + p[2] + p[3] > 0) throw new OnnxImport.Refused("explicit and implicit pooling padding together");
            p = new int[] {extra.top(), extra.left(), extra.bottom(), extra.right()};
        } else if (avg && (p[0] > 0 || p[1] > 0 || p[2] > 0 || p[3] > 0) && n.node().integer("count_include_pad", 0) == 0) {
            throw new OnnxImport.Refused("average pooling that excludes padding (count_include_pad=0) with pads > 0");
        }
        if (p[0] != p[2] || p[1] != p[3]) throw new OnnxImport.Refused("asymmetric pooling padding");
        int oh = OutputSize.pool(x.h(), (int) k[0], (int) s[0], p[0], p[2], ceil);
        int ow = OutputSize.pool(x.w(), (int) k[1], (int) s[1], p[1], p[3], ceil);
        n.emit(x, (avg ? "avgpool(" : "maxpool(") + OnnxImport.pair(k[0], k[1]) + ", stride=" + OnnxImport.pair(s[0], s[1])
                + ", pad=" + OnnxImport.pair(p[0], p[1]) + (ceil ? ", ceil=true" : "") + ")", x.c(), oh, ow, 4);
    }
}
