package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Joins values along channels; heights and widths must agree. */
public record ConcatOp() implements Op {

    @Override
    public String type() {
        return "concat";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape first = inputs.getFirst();
        long channels = 0;
        for (Shape s : inputs) {
            if (s.h() != first.h() || s.w() != first.w()) {
                throw new ShapeException("concat needs equal heights and widths: " + first + " vs " + s);
            }
            channels += s.c();
        }
        if (channels > Integer.MAX_VALUE) throw new ShapeException("concat would have " + channels + " channels");
        return new Shape((int) channels, first.h(), first.w());
    }
}
