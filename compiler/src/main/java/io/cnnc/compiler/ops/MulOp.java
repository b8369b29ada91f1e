package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Elementwise product; a {@code [C, 1, 1]} operand broadcasts over H and W (squeeze-and-excitation). */
public record MulOp() implements Op {

    @Override
    public String type() {
        return "mul";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape a = inputs.get(0);
        Shape b = inputs.get(1);
        if (a.equals(b)) return a;
        if (a.c() == b.c() && b.isVector()) return a;
        if (a.c() == b.c() && a.isVector()) return b;
        throw new ShapeException("shape mismatch in '*': " + a + " vs " + b
                + " (shapes must be equal, or one must be [C, 1, 1] with the same C)");
    }
}
