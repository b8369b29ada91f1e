package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Global average or max pooling: {@code [C, H, W] -> [C, 1, 1]}. */
public record GlobalPoolOp(PoolOp.Kind kind) implements Op {

    @Override
    public String type() {
        return kind == PoolOp.Kind.MAX ? "globalmaxpool" : "gap";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return new Shape(inputs.getFirst().c(), 1, 1);
    }

    @Override
    public Window window(List<Shape> inputs) {
        Shape in = inputs.getFirst();
        return new Window(in.h(), in.w(), 1, 1, 1, 1);
    }
}
