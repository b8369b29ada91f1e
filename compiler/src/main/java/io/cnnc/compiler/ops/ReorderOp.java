package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Layout;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.reference.CopyReference;
import java.util.List;

/**
 * Rewrites a value from {@code from} into {@code to} layout. Logically the identity (shapes
 * are layout-free); inserted by the layout pass only where a producer's layout differs from
 * what a consumer reads.
 */
public record ReorderOp(Layout from, Layout to) implements LaidOutOp {

    @Override
    public String type() {
        return "reorder";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    /** Shapes are logical, so at this level a reorder is the identity. */
    @Override
    public void reference(Eval e) {
        CopyReference.forward(e.x(), e.output());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.$L($L, $L, BATCH, $L, $L, " + c.threads() + ")", Nchwc.class, to == Layout.NCHW ? "toPlanar" : "toBlocked",
                c.x(), c.y(), c.in().c(), c.spatial());
    }

    @Override
    public List<String> attributes() {
        return List.of("from=" + from.label(), "to=" + to.label());
    }
}
