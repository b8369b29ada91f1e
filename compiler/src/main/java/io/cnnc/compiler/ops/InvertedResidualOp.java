package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.codegen.RecordLiteral;
import io.cnnc.compiler.ir.Layout;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.cpu.conv.Epilogue;
import io.cnnc.kernels.cpu.conv.InvertedResidualKernel;
import java.util.ArrayList;
import java.util.List;

/**
 * An inverted residual block (a 1x1 expansion, a depthwise convolution, a 1x1 projection with
 * the block's residual) computed as one kernel a few rows at a time, so the expanded tensor stays
 * in cache ({@link InvertedResidualKernel}). Put in after the layout choice where the cost model
 * expects it to beat the three layers apart (schedule's InvertedResidualFusion); it means
 * exactly what its three nodes mean, whose ops (fused convs) and tensors it keeps. Reads the
 * expansion's input (NCHW16c when {@code blockedInput}) and the projection's residual; writes
 * the projection's output (NCHW16c when {@code blockedOutput}). Without a projection ({@code project}
 * null: EfficientNet's blocks, whose squeeze-excitation reads the whole depthwise output) it is
 * the expansion and the depthwise layer, and writes the depthwise output.
 */
public record InvertedResidualOp(Node expand, Node depthwise, Node project, boolean blockedInput, boolean blockedOutput, int threads)
        implements LaidOutOp {

    @Override
    public String type() {
        return "inverted-residual";
    }

    private FusedConvOp conv(Node n) {
        return (FusedConvOp) n.op();
    }

    public boolean residual() {
        return project != null && conv(project).residual();
    }

    /** The layers it computes, in order. */
    public List<Node> parts() {
        return project == null ? List.of(expand, depthwise) : List.of(expand, depthwise, project);
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return parts().getLast().output().shape();
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        long macs = 0;
        for (Node n : parts()) macs += n.op().macs(n.inputShapes(), n.output().shape());
        return macs;
    }

    /** The three layers one after the other, each by its own reference. */
    @Override
    public void reference(Eval e) {
        float[] expanded = new float[Math.toIntExact(e.batch() * expand.output().shape().size())];
        expand.op().reference(new Eval(expand, e.batch(), List.of(e.x()), expanded, e.tensors()));
        float[] filtered = project == null ? e.output() : new float[Math.toIntExact(e.batch() * depthwise.output().shape().size())];
        depthwise.op().reference(new Eval(depthwise, e.batch(), List.of(expanded), filtered, e.tensors()));
        if (project != null) project.op().reference(new Eval(project, e.batch(), residual() ? List.of(filtered, e.input(1)) : List.of(filtered), e.output(), e.tensors()));
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        String k = "block" + c.index();
        c.field(InvertedResidualKernel.class, k, c.node().name() + ": "
                + String.join(", ", parts().stream().map(Node::name).toList()) + " as one inverted residual block\n");
        List<Object> args = new ArrayList<>();
        StringBuilder format = new StringBuilder("$L = new $T(");
        args.add(k);
        args.add(InvertedResidualKernel.class);
        for (Node n : parts()) {
            FusedConvOp f = conv(n);
            format.append("$L, w.get($S), $T.of(w.get($S), $L, $L, $L), ");
            args.add(RecordLiteral.of(f.conv().geometry(n.inputShapes().getFirst())));
            args.add(f.convName() + ".weight");
            args.add(Epilogue.class);
            args.add(f.convName() + ".bias");
            args.add(f.residual());
            args.add(RecordLiteral.value(f.activation() == null ? ActivationKind.IDENTITY : f.activation().kind()));
            args.add(f.activation() == null ? "0.0" : Double.toString(f.activation().alpha()));
        }
        if (project == null) format.append("null, null, null, ");
        format.append("$L, $L, $L)");
        args.add(blockedInput);
        args.add(blockedOutput);
        args.add(threads == 1 ? "serial" : "parallel");
        c.setUp(format.toString(), args.toArray());
        return CodeBlock.of("$L.forward($L, $L, $L, BATCH)", k, c.x(), residual() ? c.input(1) : "null", c.y());
    }

    @Override
    public List<String> attributes() {
        return List.of("expand=" + expand.name(), "depthwise=" + depthwise.name(), "project=" + (project == null ? "none" : project.name()),
                "in=" + (blockedInput ? Layout.NCHWC : Layout.NCHW).label(), "out=" + (blockedOutput ? Layout.NCHWC : Layout.NCHW).label(), "threads=" + threads);
    }
}
