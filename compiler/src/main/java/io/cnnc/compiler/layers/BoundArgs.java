package io.cnnc.compiler.layers;

import io.cnnc.compiler.lower.ConstValue;
import io.cnnc.compiler.lower.ConstValue.*;
import java.util.Map;

/** A layer call's arguments after binding and type checking; every declared argument is present. */
public record BoundArgs(Map<String, ConstValue> values) {

    public int integer(String name) {
        return Math.toIntExact(((IntValue) values.get(name)).value());
    }

    public double number(String name) {
        return switch (values.get(name)) {
            case IntValue i -> i.value();
            case FloatValue f -> f.value();
            default -> throw new IllegalStateException(name + " is not a number");
        };
    }

    public boolean bool(String name) {
        return ((BoolValue) values.get(name)).value();
    }

    /** {@code {h, w}} from an integer or a pair. */
    public int[] pair(String name) {
        return switch (values.get(name)) {
            case IntValue i -> new int[] {Math.toIntExact(i.value()), Math.toIntExact(i.value())};
            case TupleValue t when t.items().size() == 2 -> t.ints();
            default -> throw new IllegalStateException(name + " is not a pair");
        };
    }

    /**
     * Null for {@code "same"}; else {top, left, bottom, right}: from "valid" (zeros), an integer,
     * a pair (h, w), or all four.
     */
    public int[] padding(String name) {
        return switch (values.get(name)) {
            case StringValue s when s.value().equals("same") -> null;
            case StringValue s -> new int[] {0, 0, 0, 0};
            case TupleValue t when t.items().size() == 4 -> t.ints();
            default -> {
                int[] p = pair(name);
                yield new int[] {p[0], p[1], p[0], p[1]};
            }
        };
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }
}
