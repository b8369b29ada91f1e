package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Softmax over channels at each position. */
public record SoftmaxOp() implements Op {

    @Override
    public String type() {
        return "softmax";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }
}
