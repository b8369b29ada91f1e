package io.cnnc.compiler.codegen;

import com.squareup.javapoet.CodeBlock;
import java.lang.reflect.RecordComponent;

/** Java source that rebuilds a record of primitives and enums: {@code new PoolGeometry(64, 56, ...)}. */
public final class RecordLiteral {

    private RecordLiteral() {}

    public static CodeBlock of(Record r) {
        CodeBlock.Builder b = CodeBlock.builder().add("new $T(", r.getClass());
        RecordComponent[] parts = r.getClass().getRecordComponents();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) b.add(", ");
            b.add(value(read(parts[i], r)));
        }
        return b.add(")").build();
    }

    public static CodeBlock value(Object v) {
        return switch (v) {
            case Enum<?> e -> CodeBlock.of("$T.$L", e.getDeclaringClass(), e.name());
            case Double d -> CodeBlock.of("$L", literal(d));
            case Float f when Float.isInfinite(f) -> CodeBlock.of(f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY");
            case Float f -> CodeBlock.of("$Lf", Float.toString(f));
            case Integer i -> CodeBlock.of("$L", i);
            case Boolean z -> CodeBlock.of("$L", z);
            default -> throw new IllegalArgumentException("no literal for " + v.getClass().getSimpleName());
        };
    }

    /** A double literal that reads back to exactly the same value (Double.toString round-trips). */
    private static String literal(double d) {
        if (Double.isNaN(d)) return "Double.NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        return Double.toString(d);
    }

    private static Object read(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
