package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Drops elements with probability {@code p} while training; identity at inference. */
public record DropoutOp(double p) implements Op {

    @Override
    public String type() {
        return "dropout";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }
}
