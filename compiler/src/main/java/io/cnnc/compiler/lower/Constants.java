package io.cnnc.compiler.lower;

import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.ast.Ast.Const;
import java.util.Map;

/** Evaluates a constant outside any block (train settings). */
public final class Constants {

    private Constants() {}

    public static ConstValue evaluate(Const c, Diagnostics diagnostics) {
        return new ConstEvaluator(diagnostics).eval(c, Map.of());
    }
}
