package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** {@code [C, H, W] -> [C*H*W, 1, 1]}; the data does not move (NCHW order is kept). */
public record FlattenOp() implements Op {

    @Override
    public String type() {
        return "flatten";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return new Shape(Math.toIntExact(inputs.getFirst().size()), 1, 1);
    }
}
