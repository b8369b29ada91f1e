package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Elementwise sum of two values of one shape (a residual connection). */
public record AddOp() implements Op {

    @Override
    public String type() {
        return "add";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape a = inputs.get(0);
        Shape b = inputs.get(1);
        if (!a.equals(b)) throw new ShapeException("shape mismatch in '+': " + a + " vs " + b);
        return a;
    }
}
