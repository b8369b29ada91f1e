package io.cnnc.compiler.target.cpu;

import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.target.Target;
import java.util.Map;

/** The CPU: a strategy and layout per layer, Java Vector API source, compiled by javac on first use. */
public record CpuTarget(CompileOptions options) implements Target<CompiledModel> {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public CompiledModel compile(FrontHalf front, Map<String, float[]> weights) {
        return CompiledModel.compile(front, weights, options);
    }
}
