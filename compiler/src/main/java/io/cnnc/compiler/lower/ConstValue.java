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

    record TupleValue(java.util.List<ConstValue> items) implements ConstValue {
        public String describe() {
            return (items.size() == 2 ? "pair (" : "tuple (")
                    + String.join(", ", items.stream().map(ConstValue::plain).toList()) + ")";
        }

        /** The items as ints, or null unless all are integers. */
        public int[] ints() {
            int[] out = new int[items.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(items.get(i) instanceof IntValue v) || v.value() != (int) v.value()) return null;
                out[i] = (int) v.value();
            }
            return out;
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
