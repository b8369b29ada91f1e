package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Batch normalisation per channel; running statistics are buffers, not parameters. */
public record BatchNormOp(double eps, double momentum) implements Op {

    @Override
    public String type() {
        return "bn";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        int[] c = {inputs.getFirst().c()};
        return List.of(
                new ParamSpec("weight", c, true, Init.constant(1)),
                new ParamSpec("bias", c, true, Init.constant(0)),
                new ParamSpec("running_mean", c, false, Init.constant(0)),
                new ParamSpec("running_var", c, false, Init.constant(1)));
    }
}
