package io.cnnc.compiler.layers;

import io.cnnc.compiler.lower.ConstValue;
import io.cnnc.compiler.lower.ConstValue.*;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.Span;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Matches evaluated call arguments to a layer's signature, reporting every mismatch. */
public final class ArgBinder {

    /** An argument as written: name (null if positional), value (null if it failed to evaluate), place. */
    public record Given(String name, ConstValue value, Span span) {}

    private ArgBinder() {}

    /** Returns the bound arguments, or null after reporting errors. */
    public static BoundArgs bind(String layer, Span callSpan, List<ArgSpec> signature, List<Given> given, Diagnostics diagnostics) {
        Map<String, ConstValue> values = new LinkedHashMap<>();
        boolean ok = true;
        int position = 0;
        boolean sawNamed = false;
        for (Given g : given) {
            ArgSpec spec;
            if (g.name() == null) {
                if (sawNamed) {
                    diagnostics.error(g.span(), "positional argument after a named one in " + layer + "(...)");
                    ok = false;
                    continue;
                }
                if (position >= signature.size()) {
                    diagnostics.error(g.span(), layer + " takes at most " + signature.size() + " positional argument"
                            + (signature.size() == 1 ? "" : "s") + signatureHint(layer, signature));
                    ok = false;
                    continue;
                }
                spec = signature.get(position++);
            } else {
                sawNamed = true;
                spec = signature.stream().filter(s -> s.name().equals(g.name())).findFirst().orElse(null);
                if (spec == null) {
                    diagnostics.error(g.span(), "unknown argument '" + g.name() + "' for " + layer
                            + Suggestions.didYouMean(g.name(), signature.stream().map(ArgSpec::name).toList())
                            + signatureHint(layer, signature));
                    ok = false;
                    continue;
                }
            }
            if (values.containsKey(spec.name())) {
                diagnostics.error(g.span(), "argument '" + spec.name() + "' given twice");
                ok = false;
                continue;
            }
            if (g.value() == null) {
                ok = false;
                continue;
            }
            String problem = check(spec, g.value());
            if (problem != null) {
                diagnostics.error(g.span(), "argument '" + spec.name() + "' of " + layer + " " + problem);
                ok = false;
                continue;
            }
            values.put(spec.name(), g.value());
        }
        for (ArgSpec spec : signature) {
            if (values.containsKey(spec.name())) continue;
            if (spec.isRequired()) {
                if (ok) diagnostics.error(callSpan, layer + " needs argument '" + spec.name() + "'" + signatureHint(layer, signature));
                ok = false;
            } else {
                values.put(spec.name(), spec.defaultValue());
            }
        }
        return ok ? new BoundArgs(values) : null;
    }

    /** Null when the value fits the argument, else what is wrong, in words. */
    static String check(ArgSpec spec, ConstValue value) {
        String expected = "must be " + spec.type().words() + ", got " + value.describe();
        return switch (spec.type()) {
            case INT -> value instanceof IntValue i ? range(spec, i.value()) : expected;
            case FLOAT -> switch (value) {
                case IntValue i -> range(spec, i.value());
                case FloatValue f -> Double.isFinite(f.value()) ? range(spec, f.value()) : expected;
                default -> expected;
            };
            case BOOL -> value instanceof BoolValue ? null : expected;
            case STRING -> value instanceof StringValue ? null : expected;
            case PAIR -> pair(spec, value, expected);
            case PADDING -> value instanceof StringValue s
                    ? (s.value().equals("same") || s.value().equals("valid") ? null
                            : "must be \"same\" or \"valid\" when given as a string, got \"" + s.value() + "\"")
                    : pair(spec, value, expected);
        };
    }

    private static String pair(ArgSpec spec, ConstValue value, String expected) {
        return switch (value) {
            case IntValue i -> range(spec, i.value());
            case TupleValue t when t.ints() != null && (t.items().size() == 2
                    || t.items().size() == 4 && spec.type() == ArgType.PADDING) -> {
                for (int v : t.ints()) {
                    String p = range(spec, v);
                    if (p != null) yield p;
                }
                yield null;
            }
            default -> expected;
        };
    }

    private static String range(ArgSpec spec, double v) {
        if (v < spec.min()) return "must be at least " + fmt(spec.min()) + ", got " + fmt(v);
        if (spec.type() != ArgType.FLOAT && v > Limits.MAX_DIMENSION) {
            return "is " + fmt(v) + ", past the limit of " + Limits.MAX_DIMENSION;
        }
        return null;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String signatureHint(String layer, List<ArgSpec> signature) {
        StringBuilder out = new StringBuilder(" (usage: ").append(layer).append('(');
        for (int i = 0; i < signature.size(); i++) {
            if (i > 0) out.append(", ");
            ArgSpec s = signature.get(i);
            out.append(s.name());
            if (!s.isRequired()) out.append('=').append(defaultText(s.defaultValue()));
        }
        return out.append("))").toString();
    }

    private static String defaultText(ConstValue v) {
        return switch (v) {
            case IntValue i -> Long.toString(i.value());
            case FloatValue f -> Double.toString(f.value());
            case BoolValue b -> Boolean.toString(b.value());
            case StringValue s -> "\"" + s.value() + "\"";
            case SymbolValue s -> s.name();
            case TupleValue t -> "(" + String.join(", ", t.items().stream().map(ArgBinder::defaultText).toList()) + ")";
        };
    }
}
