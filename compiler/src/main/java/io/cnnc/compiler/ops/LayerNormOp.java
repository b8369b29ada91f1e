package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import java.util.List;

/** Layer normalisation over the channels at each position (ConvNeXt's LayerNorm2d). */
public record LayerNormOp(double eps) implements Op {

    @Override
    public String type() {
        return "layernorm";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        int[] c = {inputs.getFirst().c()};
        return List.of(new ParamSpec("weight", c, true, Init.constant(1)), new ParamSpec("bias", c, true, Init.constant(0)));
    }
}
