package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.backward.SoftmaxBackward;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.reference.SoftmaxReference;
import java.util.List;
import java.util.Set;

/** Softmax over channels at each position. */
public record SoftmaxOp() implements CommonOp {

    @Override
    public String type() {
        return "softmax";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public void reference(Eval e) {
        SoftmaxReference.channels(e.x(), e.batch(), e.in().c(), e.spatial(), e.output());
    }

    /** Softmax's gradient is written in its output, which the forward pass kept. */
    @Override
    public void backward(Eval e, Gradient g) {
        if (g.dx() != null) SoftmaxBackward.backward(e.output(), g.dy(), e.batch(), e.in().c(), e.spatial(), g.dx());
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        return CodeBlock.of("$T.backward($L, $L, BATCH, $L, $L, $L)", SoftmaxBackward.class, c.y(), c.dy(), c.in().c(), c.spatial(), c.dx());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.channels($L, BATCH, $L, $L, $L)", SoftmaxReference.class, c.x(), c.in().c(), c.spatial(), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        t.kernel(t.loops().softmax(t.kernelName(), t.batch(), s.c(), s.h() * s.w()));
        t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of(LayerLaunches.softmax(g.x(), g.y(), g.batch(), g.in().c(), g.spatial()));
    }

    @Override
    public String onnx(OnnxCode o) {
        return o.node("Softmax", List.of(o.x()), o.output(), Attribute.of("axis", 1L));
    }

    /** ONNX Softmax over the channels (axis 1, or the last axis of [N, F]). */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Softmax"), n -> {
        OnnxImport.Value x = n.in(0);
        long axis = n.node().integer("axis", n.opset() >= 13 ? -1 : 1);
        boolean channels = axis == 1 || (x.rank() == 2 && axis == -1);
        if (!channels) throw new OnnxImport.Refused("Softmax over axis " + axis + " (cnnc's softmax is over channels)");
        n.emit(x, "softmax", x.c(), x.h(), x.w(), x.rank());
    });
}
