package io.cnnc.compiler.lower;

import io.cnnc.compiler.lower.ConstValue.*;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.ast.Ast.*;
import java.util.Map;

/**
 * Evaluates constant expressions in an environment of block parameters. Integer arithmetic
 * stays integral ({@code c / 2} divides like Python's {@code //}); any float makes it float.
 * Returns null after reporting an error.
 */
final class ConstEvaluator {

    private final Diagnostics diagnostics;

    ConstEvaluator(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    ConstValue eval(Const c, Map<String, ConstValue> env) {
        return switch (c) {
            case IntConst i -> new IntValue(i.value());
            case FloatConst f -> new FloatValue(f.value());
            case StringConst s -> new StringValue(s.value());
            case BoolConst b -> new BoolValue(b.value());
            case NameConst n -> env.containsKey(n.name()) ? env.get(n.name()) : new SymbolValue(n.name());
            case TupleConst t -> {
                java.util.List<ConstValue> items = new java.util.ArrayList<>();
                for (Const c2 : t.items()) items.add(eval(c2, env));
                yield items.contains(null) ? null : new TupleValue(items);
            }
            case NegConst n -> {
                ConstValue v = eval(n.operand(), env);
                if (v == null) yield null;
                yield switch (v) {
                    case IntValue i -> new IntValue(-i.value());
                    case FloatValue f -> new FloatValue(-f.value());
                    default -> fail(n, "cannot negate " + v.describe());
                };
            }
            case BinaryConst b -> leftAssociated(b, env);
        };
    }

    /** Walks {@code ((a op b) op c) op d} along its left side in a loop: a long sum needs no deep recursion. */
    private ConstValue leftAssociated(BinaryConst last, Map<String, ConstValue> env) {
        java.util.ArrayDeque<BinaryConst> operations = new java.util.ArrayDeque<>();
        Const first = last;
        while (first instanceof BinaryConst b) {
            operations.push(b);
            first = b.left();
        }
        ConstValue value = eval(first, env);
        while (!operations.isEmpty()) {
            BinaryConst b = operations.pop();
            value = binary(b, value, eval(b.right(), env));
        }
        return value;
    }

    private ConstValue binary(BinaryConst b, ConstValue left, ConstValue right) {
        if (left == null || right == null) return null;
        if (left instanceof SymbolValue s) return fail(b.left(), "unknown name '" + s.name() + "' in arithmetic");
        if (right instanceof SymbolValue s) return fail(b.right(), "unknown name '" + s.name() + "' in arithmetic");
        if (left instanceof IntValue(long x) && right instanceof IntValue(long y)) {
            try {
                return new IntValue(switch (b.operator()) {
                    case '+' -> Math.addExact(x, y);
                    case '-' -> Math.subtractExact(x, y);
                    case '*' -> Math.multiplyExact(x, y);
                    case '/', '%' -> {
                        if (y == 0) yield divisionByZero(b);
                        yield b.operator() == '/' ? Math.floorDiv(x, y) : Math.floorMod(x, y);
                    }
                    default -> throw new IllegalStateException("operator " + b.operator());
                });
            } catch (ArithmeticException overflow) {
                return fail(b, "integer overflow in " + x + " " + b.operator() + " " + y);
            } catch (DivisionByZero z) {
                return null;
            }
        }
        Double x = number(left);
        Double y = number(right);
        if (x == null || y == null) {
            return fail(b, "cannot apply '" + b.operator() + "' to " + left.describe() + " and " + right.describe());
        }
        if ((b.operator() == '/' || b.operator() == '%') && y == 0) return fail(b, "division by zero");
        return new FloatValue(switch (b.operator()) {
            case '+' -> x + y;
            case '-' -> x - y;
            case '*' -> x * y;
            case '/' -> x / y;
            case '%' -> x % y;
            default -> throw new IllegalStateException("operator " + b.operator());
        });
    }

    private long divisionByZero(BinaryConst b) {
        fail(b, "division by zero");
        throw new DivisionByZero();
    }

    private static Double number(ConstValue v) {
        return switch (v) {
            case IntValue i -> (double) i.value();
            case FloatValue f -> f.value();
            default -> null;
        };
    }

    private ConstValue fail(Const at, String message) {
        diagnostics.error(at.span(), message);
        return null;
    }

    private static final class DivisionByZero extends RuntimeException {
        DivisionByZero() {
            super(null, null, false, false);
        }
    }
}
