package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** A learned per-channel addend: the dual of {@link ScaleOp} (affine pieces of imported models). */
public record ShiftOp(double init) implements Op {

    @Override
    public String type() {
        return "shift";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        return List.of(new ParamSpec("weight", new int[] {inputs.getFirst().c()}, true, Init.constant(init)));
    }
}
