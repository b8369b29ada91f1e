package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OnnxModel.TensorData;
import io.cnnc.kernels.backward.DenseBackward;
import io.cnnc.kernels.cpu.FastDense;
import io.cnnc.kernels.cpu.train.DenseForward;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.DenseReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Fully connected layer over the flattened input; output {@code [units, 1, 1]}. */
public record DenseOp(int units, boolean bias) implements CommonOp, GpuTrainable {

    @Override
    public String type() {
        return "dense";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return new Shape(units, 1, 1);
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        int fanIn = Math.toIntExact(inputs.getFirst().size());
        List<ParamSpec> out = new ArrayList<>();
        out.add(new ParamSpec("weight", new int[] {units, fanIn}, true, Init.kaimingUniform(fanIn)));
        if (bias) out.add(new ParamSpec("bias", new int[] {units}, true, Init.fanInUniform(fanIn)));
        return out;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return inputs.getFirst().size() * units;
    }

    /** Every output reads the whole input: like a kernel as large as the input. */
    @Override
    public Window window(List<Shape> inputs) {
        Shape in = inputs.getFirst();
        return new Window(in.h(), in.w(), 1, 1, 1, 1);
    }

    @Override
    public void reference(Eval e) {
        DenseReference.forward(e.x(), e.batch(), Math.toIntExact(e.in().size()), units, e.param("weight"),
                bias ? e.param("bias") : null, e.output());
    }

    @Override
    public void trainingForward(Eval e, TrainingStep step) {
        DenseForward.forward(e.x(), e.batch(), Math.toIntExact(e.in().size()), units, e.param("weight"), bias ? e.param("bias") : null, e.output());
    }

    @Override
    public CodeBlock trainingForward(TrainingCode c) {
        return CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L, $L)", DenseForward.class, c.x(), c.in().size(), units, c.param("weight"),
                bias ? c.param("bias") : "null", c.y());
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        return CodeBlock.of("$T.backward($L, $L, BATCH, $L, $L, $L, $L, $L, $L)", DenseBackward.class, c.x(), c.dy(), c.in().size(), units,
                c.param("weight"), c.dx(), c.grad("weight"), bias ? c.grad("bias") : "null");
    }

    /** The gradient rule reads the input, not the output. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.INPUTS;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        DenseBackward.backward(e.x(), g.dy(), e.batch(), Math.toIntExact(e.in().size()), units, e.param("weight"), g.dx(),
                g.grad("weight"), bias ? g.grad("bias") : null);
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        String k = "dense" + c.index();
        c.field(FastDense.class, k, null);
        c.setUp("$L = $T.prepare($L, $L, $L, $L, " + c.threads() + ")", k, FastDense.class,
                c.weight("weight"), bias ? c.weight("bias") : "null", c.in().size(), units);
        return CodeBlock.of("$L.forward($L, $L, BATCH)", k, c.x(), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        t.kernel(t.loops().dense(t.kernelName(), t.batch(), t.in().size(), units));
        String w = t.param("weight");
        String b = bias ? t.param("bias") : t.weightOrZeros(t.node().name() + ".bias", units);
        t.call(t.kernelName(), t.x(), w, b, t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of(LayerLaunches.dense(g.x(), g.weight("weight"), bias ? g.weight("bias") : Arg.NO_BUFFER, g.y(), g.batch(),
                Math.toIntExact(g.in().size()), units, GpuActivation.NONE, 0f));
    }

    @Override
    public List<String> attributes() {
        return List.of("units=" + units, "bias=" + bias);
    }

    /** Flatten, Gemm, then a Reshape back to [N, units, 1, 1]. */
    @Override
    public String onnx(OnnxCode o) {
        String y = o.output();
        String flat = o.node("Flatten", List.of(o.x()), o.temp(), Attribute.of("axis", 1L));
        List<String> in = new ArrayList<>(List.of(flat, o.weight("weight", units, o.in().size())));
        if (bias) in.add(o.weight("bias", units));
        o.namedNode("Gemm", y + "_gemm", in, y + "_gemm", Attribute.of("transB", 1L));
        return o.node("Reshape", List.of(y + "_gemm", o.ints(0, units, 1, 1)), y);
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return List.of(LayerLaunches.dense(t.x(), t.param("weight"), bias ? t.param("bias") : Arg.NO_BUFFER, t.y(), t.batch(),
                Math.toIntExact(t.in().size()), units, GpuActivation.NONE, 0f));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        int features = Math.toIntExact(t.in().size());
        int batch = t.batch();
        if (!t.frozen()) {
            out.add(io.cnnc.kernels.gpu.Gemm.of(units, features, batch, 1).a(t.dy(), 0, 1, units, 0).b(t.x(), 0, features, 1, 0)
                    .c(t.grad("weight"), 0, features, 1, 0).launch());
            if (bias) out.add(TrainingLaunches.channelSum(t.dy(), t.grad("bias"), batch, units, 1, 0f));
        }
        if (t.needsDx(0)) {
            float beta = t.beta(0);
            out.add(io.cnnc.kernels.gpu.Gemm.of(batch, features, units, 1).a(t.dy(), 0, units, 1, 0).b(t.param("weight"), 0, features, 1, 0)
                    .c(t.dx(0), 0, features, 1, 0).beta(beta).launch());
        }
    }

    /** ONNX Gemm (alpha and beta folded into the weights) and MatMul by a constant matrix. */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Gemm", "MatMul"), n -> {
        if (n.node().opType().equals("MatMul")) matMulFromOnnx(n);
        else gemmFromOnnx(n);
    });

    private static void matMulFromOnnx(OnnxImport n) throws OnnxImport.Refused {
        OnnxImport.Value x = n.in(0);
        TensorData b = n.constant(1);
        if (b == null || b.dims().length != 2 || x.rank() != 2) throw new OnnxImport.Refused("only [N, K] x constant [K, M] is supported");
        int k = (int) b.dims()[0];
        int m = (int) b.dims()[1];
        String name = n.layerName("dense");
        n.weight(name + ".weight", OnnxImport.transpose(OnnxImport.floats(b, "B"), k, m), m, k);
        n.emit(x, "dense(" + m + ", bias=false, name=\"" + name + "\")", m, 1, 1, 2);
    }

    private static void gemmFromOnnx(OnnxImport n) throws OnnxImport.Refused {
        OnnxImport.Value x = n.in(0);
        TensorData b = n.constant(1);
        TensorData c = n.constant(2);
        if (n.node().integer("transA", 0) != 0) throw new OnnxImport.Refused("transA=1");
        if (b == null || b.dims().length != 2) throw new OnnxImport.Refused("B must be a constant matrix");
        boolean transB = n.node().integer("transB", 0) == 1;
        int units = (int) (transB ? b.dims()[0] : b.dims()[1]);
        int k = (int) (transB ? b.dims()[1] : b.dims()[0]);
        if (k != x.c() * x.h() * x.w()) throw new OnnxImport.Refused("B has " + k + " inputs, the value has " + x.c() * x.h() * x.w());
        float alpha = n.node().number("alpha", 1);
        float beta = n.node().number("beta", 1);
        float[] w = transB ? OnnxImport.floats(b, "B").clone() : OnnxImport.transpose(OnnxImport.floats(b, "B"), k, units);
        for (int i = 0; i < w.length; i++) w[i] *= alpha;
        String name = n.layerName("dense");
        n.weight(name + ".weight", w, units, k);
        if (c != null) {
            float[] bias = OnnxImport.broadcast(c, units);
            for (int i = 0; i < bias.length; i++) bias[i] *= beta;
            n.weight(name + ".bias", bias, units);
        }
        n.emit(x, "dense(" + units + ", bias=" + (c != null) + ", name=\"" + name + "\")", units, 1, 1, 2);
    }
}
