package io.cnnc.compiler.lower;

/** The value of a constant expression: an argument, a block parameter, a train setting. */
public sealed interface ConstValue {

    String describe();

    record IntValue(long value) implements ConstValue {
        public String describe() {
            return "integer " + value;
        }
    }

    record FloatValue(double value) implements ConstValue {
        public String describe() {
            return "number " + value;
        }
    }

    record StringValue(String value) implements ConstValue {
        public String describe() {
            return "string \"" + value + "\"";
        }
    }

    record BoolValue(boolean value) implements ConstValue {
        public String describe() {
            return value ? "true" : "false";
        }
    }

    record TupleValue(ConstValue first, ConstValue second) implements ConstValue {
        public String describe() {
            return "pair (" + plain(first) + ", " + plain(second) + ")";
        }
    }

    /** A bare name that is not a parameter: meaningful only where a symbol is expected ({@code data mnist}). */
    record SymbolValue(String name) implements ConstValue {
        public String describe() {
            return "name '" + name + "'";
        }
    }

    private static String plain(ConstValue v) {
        return switch (v) {
            case IntValue i -> Long.toString(i.value());
            case FloatValue f -> Double.toString(f.value());
            default -> v.describe();
        };
    }
}
