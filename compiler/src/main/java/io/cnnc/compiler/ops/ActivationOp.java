package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.ActivationKind;
import java.util.List;

/** An elementwise activation; {@code alpha} is leakyrelu's negative slope. */
public record ActivationOp(ActivationKind kind, double alpha) implements Op {

    @Override
    public String type() {
        return kind.definition().name();
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }
}
