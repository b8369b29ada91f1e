package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/** Fully connected layer over the flattened input; output {@code [units, 1, 1]}. */
public record DenseOp(int units, boolean bias) implements Op {

    @Override
    public String type() {
        return "dense";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return new Shape(units, 1, 1);
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        int fanIn = Math.toIntExact(inputs.getFirst().size());
        List<ParamSpec> out = new ArrayList<>();
        out.add(new ParamSpec("weight", new int[] {units, fanIn}, true, Init.kaimingUniform(fanIn)));
        if (bias) out.add(new ParamSpec("bias", new int[] {units}, true, Init.fanInUniform(fanIn)));
        return out;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return inputs.getFirst().size() * units;
    }

    /** Every output reads the whole input: like a kernel as large as the input. */
    @Override
    public Window window(List<Shape> inputs) {
        Shape in = inputs.getFirst();
        return new Window(in.h(), in.w(), 1, 1, 1, 1);
    }
}
