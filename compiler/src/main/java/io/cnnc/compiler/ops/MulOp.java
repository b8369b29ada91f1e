package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Elementwise product; a {@code [C, 1, 1]} operand broadcasts over H and W (squeeze-and-excitation). */
public record MulOp() implements Op {

    @Override
    public String type() {
        return "mul";
    }

    /**
     * Which operand (0 or 1) is the [C, 1, 1] one that broadcasts over H and W, or -1 when both
     * have the output's shape. Kernels take the full operand first.
     */
    public static int broadcastOperand(List<Shape> inputs) {
        Shape a = inputs.get(0);
        Shape b = inputs.get(1);
        if (a.equals(b)) return -1;
        return a.isVector() ? 0 : 1;
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
