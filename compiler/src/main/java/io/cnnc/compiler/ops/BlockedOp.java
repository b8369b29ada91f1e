package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import java.util.List;

/**
 * {@code op} computed on a channel-blocked (NCHW16c) input, with a blocked output: what it
 * computes is {@code op}'s, only the layout of its tensors differs. Put in by the layout pass
 * for the ops with a blocked kernel (max pooling, global pooling) whose input is blocked, so a
 * blocked network needs no reorder around them.
 */
public record BlockedOp(BlockableOp op) implements LaidOutOp {

    public BlockedOp {
        if (op instanceof PoolOp p && p.kind() != PoolOp.Kind.MAX) throw new IllegalArgumentException("no blocked kernel for " + op.type());
    }

    @Override
    public String type() {
        return op.type();
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        return op.outputShape(inputs);
    }

    @Override
    public Window window(List<Shape> inputs) {
        return op.window(inputs);
    }

    /** Shapes are logical, so a blocked op means what its op means. */
    @Override
    public void reference(Eval e) {
        op.reference(e);
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return op.cpuBlocked(c);
    }
}
