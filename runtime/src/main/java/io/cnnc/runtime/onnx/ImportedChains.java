package io.cnnc.runtime.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes an imported network read like a written one: a value that only the next layer in line
 * reads goes into that layer's {@code ->} chain instead of a binding of its own
 * ({@code v1 = v0 -> conv(...)}, {@code v2 = v1 -> relu} becomes {@code v1 = v0 -> conv(...) -> relu}),
 * and the values left are numbered again in order. Only layers without parameters lose their
 * place in the file, and those are named by their order alone, so the weights still bind.
 */
final class ImportedChains {

    private static final Pattern VALUE = Pattern.compile("\\bv(\\d+)\\b");

    private ImportedChains() {}

    /** A binding {@code name = expression}. */
    private record Binding(String name, String expression) {}

    /**
     * {@code lines} (each {@code vK = expression}, in order) with single-use values merged into
     * their reader's chain; {@code outputs} renamed in place to match.
     */
    static List<String> merge(List<String> lines, List<String> outputs, java.util.Set<String> inputs) {
        return merge(lines, java.util.Collections.nCopies(lines.size(), ""), outputs, inputs, ImportBlocks.DEPTHS[0]).lines();
    }

    /** Lines and, for each, the PyTorch module path its layers share ("" for none). */
    record Merged(List<String> lines, List<String> modules) {}

    /**
     * As {@link #merge(List, List, java.util.Set)}, each line with its module path; a merged line
     * keeps the paths' common prefix, and no line merges across instances at module depth {@code depth}.
     */
    static Merged merge(List<String> lines, List<String> modules, List<String> outputs, java.util.Set<String> inputs, int depth) {
        Map<String, String> moduleOf = new HashMap<>();
        List<Binding> bindings = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int eq = l.indexOf(" = ");
            bindings.add(new Binding(l.substring(0, eq), l.substring(eq + 3)));
            moduleOf.put(l.substring(0, eq), modules.get(i));
        }
        Map<String, Integer> uses = new HashMap<>();
        for (Binding b : bindings) count(b.expression(), uses);
        for (String o : outputs) uses.merge(o, 1, Integer::sum);
        Map<String, String> merged = new LinkedHashMap<>();
        for (Binding b : bindings) merged.put(b.name(), b.expression());
        for (Binding b : bindings) {
            String expression = merged.get(b.name());
            int arrow = expression.indexOf(" -> ");
            if (arrow < 0) continue;
            String head = expression.substring(0, arrow);
            if (!head.matches("v\\d+") || inputs.contains(head) || uses.getOrDefault(head, 0) != 1 || !merged.containsKey(head)) continue;
            // Not across the boundary of a module instance (layer1.0 into layer1.1): ImportBlocks folds instances first.
            if (!ImportBlocks.sameInstance(moduleOf.get(head), moduleOf.get(b.name()), depth)) continue;
            merged.put(b.name(), merged.remove(head) + expression.substring(arrow));
            moduleOf.put(b.name(), commonPrefix(moduleOf.get(head), moduleOf.get(b.name())));
        }
        Map<String, String> renamed = new HashMap<>();
        for (String in : inputs) renamed.put(in, in);
        int next = inputs.size();
        for (String name : merged.keySet()) renamed.put(name, "v" + next++);
        List<String> out = new ArrayList<>();
        List<String> outModules = new ArrayList<>();
        merged.forEach((name, expression) -> {
            out.add(renamed.get(name) + " = " + rename(expression, renamed));
            outModules.add(moduleOf.getOrDefault(name, ""));
        });
        outputs.replaceAll(renamed::get);
        return new Merged(out, outModules);
    }

    /** The dotted paths' longest common prefix, by whole segments. */
    static String commonPrefix(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(x.length, y.length) && x[i].equals(y[i]); i++) s.append(i == 0 ? "" : ".").append(x[i]);
        return s.toString();
    }

    /** Adds each value an expression names (outside quoted layer names) to {@code uses}. */
    private static void count(String expression, Map<String, Integer> uses) {
        String[] parts = expression.split("\"", -1);
        for (int i = 0; i < parts.length; i += 2) {
            Matcher m = VALUE.matcher(parts[i]);
            while (m.find()) uses.merge(m.group(), 1, Integer::sum);
        }
    }

    private static String rename(String expression, Map<String, String> renamed) {
        String[] parts = expression.split("\"", -1);
        for (int i = 0; i < parts.length; i += 2) {
            parts[i] = VALUE.matcher(parts[i]).replaceAll(m -> renamed.getOrDefault(m.group(), m.group()));
        }
        return String.join("\"", parts);
    }
}
