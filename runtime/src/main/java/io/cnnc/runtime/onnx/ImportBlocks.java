package io.cnnc.runtime.onnx;

import io.cnnc.runtime.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structure that repeats becomes a {@code block}: consecutive lines from one PyTorch module at
 * a depth of two or three ({@code layer1.0}, {@code features.3}, {@code backbone.layer1.0}) with one
 * value in and one out, holding a layer with weights, form an instance; instances that read the
 * same once their values and their layers' names are made relative, and their numbers set
 * aside, are one block, called once per instance with the instance's name. Numbers that differ
 * between the instances (ResNet's 64 in layer1, 128 in layer2) become the block's parameters,
 * one per distinct pattern of values, and each call passes its own. Inside, layers keep the rest
 * of their module path as their name, so the weights become {@code layer1_0.conv1.weight} where
 * they were {@code layer1_0_conv1.weight}; {@link #renamed} maps the one to the other.
 */
final class ImportBlocks {

    private static final Pattern NAME = Pattern.compile("name=\"([A-Za-z0-9_]+)\"");
    /** The module depths tried: torchvision's blocks sit two levels down (layer1.0, features.3), in wrappers three (backbone.layer1.0). */
    static final int[] DEPTHS = {2, 3};

    /** The block definitions, the network's lines with the calls in place, and the tensor renames. */
    record Folded(List<String> blocks, List<String> lines, Map<String, String> renamed) {}

    private record Run(int from, int to, String module, String input, String output, String body) {

        /** The body with its numbers replaced by {@code #}: what instances of one block share. */
        String template() {
            return numbers(body, m -> "#");
        }

        /** The body's numbers in order. */
        List<String> literals() {
            List<String> out = new ArrayList<>();
            numbers(body, m -> {
                out.add(m);
                return m;
            });
            return out;
        }
    }

    /** Numbers outside quoted names: whole tokens, so {@code t1} and {@code v12} are not numbers. */
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_.])\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?(?![A-Za-z0-9_])");

    /** {@code text} with each number outside quotes replaced by {@code f} of it. */
    private static String numbers(String text, java.util.function.UnaryOperator<String> f) {
        String[] quoted = text.split("\"", -1);
        for (int i = 0; i < quoted.length; i += 2) quoted[i] = NUMBER.matcher(quoted[i]).replaceAll(m -> Matcher.quoteReplacement(f.apply(m.group())));
        return String.join("\"", quoted);
    }

    private ImportBlocks() {}

    static Folded fold(List<String> lines, List<String> modules, List<String> outputs, Set<String> inputs) {
        return fold(lines, modules, outputs, inputs, DEPTHS[0]);
    }

    /** {@link #fold} with instances taken at module depth {@code depth}. */
    static Folded fold(List<String> lines, List<String> modules, List<String> outputs, Set<String> inputs, int depth) {
        Set<String> known = new HashSet<>(inputs);
        for (String l : lines) known.add(l.substring(0, l.indexOf(" = ")));
        List<Run> runs = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String module = prefix(modules.get(i), depth);
            int j = i + 1;
            while (module != null && j < lines.size() && module.equals(prefix(modules.get(j), depth))) j++;
            if (module != null) {
                Run r = run(lines, i, j, module, outputs, known);
                if (r != null) runs.add(r);
            }
            i = j;
        }
        Map<String, List<Run>> byBody = new LinkedHashMap<>();
        for (Run r : runs) byBody.computeIfAbsent(r.template(), k -> new ArrayList<>()).add(r);
        Map<Integer, Run> starting = new HashMap<>();
        Map<Run, String> blockOf = new HashMap<>();
        List<String> blocks = new ArrayList<>();
        Set<String> blockNames = new HashSet<>();
        Map<String, String> renamed = new LinkedHashMap<>();
        for (List<Run> same : byBody.values()) {
            if (same.size() < 2) continue;
            // Named after the module holding the instances: layer1 for layer1.0 and backbone.layer1.0.
            String[] path = same.getFirst().module().split("\\.");
            boolean oneParent = same.stream().allMatch(r -> parent(r.module()).equals(parent(same.getFirst().module())));
            String base = oneParent ? path[path.length - 2].replaceAll("[^A-Za-z0-9_]", "_") + "_unit" : "unit";
            Map<Run, String> calls = define(base, "unit_", same, blockNames, blocks);
            for (Run r : same) {
                starting.put(r.from(), r);
                blockOf.put(r, calls.get(r));
                String scope = scope(r.module());
                Matcher m = NAME.matcher(String.join("\n", lines.subList(r.from(), r.to())));
                while (m.find()) renamed.put(m.group(1), scope + "." + m.group(1).substring(scope.length() + 1));
            }
        }
        List<String> out = new ArrayList<>();
        List<Run> callOf = new ArrayList<>();
        for (int k = 0; k < lines.size(); k++) {
            Run r = starting.get(k);
            if (r == null) {
                out.add(lines.get(k));
                callOf.add(null);
                continue;
            }
            out.add(r.output() + " = " + r.input() + " -> " + named(blockOf.get(r), scope(r.module())));
            callOf.add(r);
            k = r.to() - 1;
        }
        return stages(new Folded(blocks, out, renamed), callOf, blockOf, modules, outputs, known, blockNames);
    }

    /**
     * Adds the block the runs {@code same} share to {@code blocks}, named {@code base} (with
     * {@code prefix} before a base that is no name, a number after one already taken), and
     * returns each run's call of it with its arguments.
     */
    private static Map<Run, String> define(String base, String prefix, List<Run> same, Set<String> blockNames, List<String> blocks) {
        if (!Character.isLetter(base.charAt(0))) base = prefix + base;
        String name = base;
        for (int k = 2; !blockNames.add(name); k++) name = base + k;
        Parameters params = Parameters.of(same);
        blocks.add("block " + name + "(" + String.join(", ", params.names()) + ") {\n" + params.body().indent(2) + "}");
        Map<Run, String> calls = new HashMap<>();
        for (Run r : same) calls.put(r, name + "(" + String.join(", ", params.arguments(r)) + ")");
        return calls;
    }

    /** A call {@code block(args)} with {@code name="..."} added as its last argument. */
    private static String named(String call, String name) {
        return call.substring(0, call.length() - 1) + (call.endsWith("()") ? "" : ", ") + "name=\"" + name + "\")";
    }

    /**
     * Every module all of whose lines are instances called one after the other, in their order
     * ({@code layer1.0}, {@code layer1.1}, ...), becomes a block of {@code repeat}s called once by
     * the module's name: the repeats' iterations are named 0, 1, ... in the language, so the
     * layers are named {@code layer1.0.conv1} as PyTorch names them. Stages that differ only in
     * their numbers are one block with parameters, as instances are.
     */
    private static Folded stages(Folded f, List<Run> callOf, Map<Run, String> blockOf, List<String> modules, List<String> outputs,
                                 Set<String> known, Set<String> blockNames) {
        List<String> lines = f.lines();
        List<Run> stages = new ArrayList<>();
        Map<Run, List<Run>> members = new HashMap<>();
        for (int k = 0; k < lines.size(); ) {
            Run first = callOf.get(k);
            String parent = first == null ? "" : parent(first.module());
            int j = k + 1;
            while (!parent.isEmpty() && j < lines.size() && callOf.get(j) != null && parent(callOf.get(j).module()).equals(parent)
                    && callOf.get(j).input().equals(callOf.get(j - 1).output())) j++;
            List<Run> seq = parent.isEmpty() ? List.of() : callOf.subList(k, j);
            if (!seq.isEmpty() && isStage(seq, parent, modules, lines, k, j, outputs, known)) {
                StringBuilder body = new StringBuilder();
                for (int a = 0; a < seq.size(); ) {
                    int b = a + 1;
                    while (b < seq.size() && blockOf.get(seq.get(b)).equals(blockOf.get(seq.get(a)))) b++;
                    body.append("repeat ").append(b - a).append(' ').append(blockOf.get(seq.get(a))).append('\n');
                    a = b;
                }
                Run stage = new Run(k, j, parent, seq.getFirst().input(), seq.getLast().output(), body.toString());
                stages.add(stage);
                members.put(stage, seq);
            }
            k = j;
        }
        if (stages.isEmpty()) return f;
        Map<String, List<Run>> byTemplate = new LinkedHashMap<>();
        for (Run r : stages) byTemplate.computeIfAbsent(r.template(), t -> new ArrayList<>()).add(r);
        List<String> blocks = new ArrayList<>(f.blocks());
        Map<String, String> renamed = new LinkedHashMap<>(f.renamed());
        Map<Integer, Run> starting = new HashMap<>();
        Map<Run, String> callFor = new HashMap<>();
        for (List<Run> same : byTemplate.values()) {
            String base = same.size() == 1 ? scope(same.getFirst().module()) + "_stage" : "stage";
            Map<Run, String> calls = define(base, "stage_", same, blockNames, blocks);
            for (Run r : same) {
                starting.put(r.from(), r);
                callFor.put(r, calls.get(r));
                // layer1_0.conv1 becomes layer1.0.conv1: the stage's scope, then the iteration's.
                List<Run> seq = members.get(r);
                for (int i = 0; i < seq.size(); i++) {
                    String instance = scope(seq.get(i).module()) + ".";
                    String now = scope(r.module()) + "." + i + ".";
                    renamed.replaceAll((from, to) -> to.startsWith(instance) ? now + to.substring(instance.length()) : to);
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (int k = 0; k < lines.size(); k++) {
            Run r = starting.get(k);
            if (r == null) {
                out.add(lines.get(k));
                continue;
            }
            out.add(r.output() + " = " + r.input() + " -> " + named(callFor.get(r), scope(r.module())));
            k = r.to() - 1;
        }
        return new Folded(blocks, out, renamed);
    }

    /**
     * Whether the calls at lines [from, to) are the whole of module {@code parent}: instances
     * {@code parent.0}, {@code parent.1}, ... in order, no other line under it, and only the last
     * one's value read after them.
     */
    private static boolean isStage(List<Run> seq, String parent, List<String> modules, List<String> lines, int from, int to,
                                   List<String> outputs, Set<String> known) {
        int covered = 0;
        for (int i = 0; i < seq.size(); i++) {
            if (!seq.get(i).module().equals(parent + "." + i)) return false;
            covered += seq.get(i).to() - seq.get(i).from();
        }
        long under = modules.stream().filter(m -> m.equals(parent) || m.startsWith(parent + ".")).count();
        if (under != covered) return false;
        Set<String> inner = new HashSet<>();
        for (int i = 0; i < seq.size() - 1; i++) inner.add(seq.get(i).output());
        for (int k = 0; k < lines.size(); k++) {
            if (k >= from && k < to) continue;
            String l = lines.get(k);
            for (String v : values(l.substring(l.indexOf(" = ") + 3), known)) if (inner.contains(v)) return false;
        }
        return outputs.stream().noneMatch(inner::contains);
    }

    /** A module path without its last segment. */
    private static String parent(String module) {
        int dot = module.lastIndexOf('.');
        return dot < 0 ? "" : module.substring(0, dot);
    }

    /**
     * The parameters of one block: the number positions whose values differ between its
     * instances, one parameter per distinct pattern of values across them ({@code c}, {@code c2},
     * ...), the other positions kept as the numbers they are everywhere.
     */
    private record Parameters(List<String> names, String body, List<Integer> firstPositions) {

        static Parameters of(List<Run> same) {
            List<List<String>> literals = same.stream().map(Run::literals).toList();
            int n = literals.getFirst().size();
            Map<List<String>, String> byPattern = new LinkedHashMap<>();
            List<Integer> first = new ArrayList<>();
            String[] at = new String[n];
            for (int i = 0; i < n; i++) {
                int k = i;
                List<String> pattern = literals.stream().map(l -> l.get(k)).toList();
                if (new HashSet<>(pattern).size() == 1) {
                    at[i] = pattern.getFirst();
                    continue;
                }
                String name = byPattern.get(pattern);
                if (name == null) {
                    name = byPattern.isEmpty() ? "c" : "c" + (byPattern.size() + 1);
                    byPattern.put(pattern, name);
                    first.add(i);
                }
                at[i] = name;
            }
            int[] next = {0};
            String body = Pattern.compile("#").matcher(same.getFirst().template()).replaceAll(m -> at[next[0]++]);
            return new Parameters(List.copyOf(byPattern.values()), body, first);
        }

        /** What an instance passes for each parameter. */
        List<String> arguments(Run r) {
            List<String> literals = r.literals();
            return firstPositions.stream().map(literals::get).toList();
        }
    }

    /** Tensor names after {@link #fold}: each layer's tensors under its new name. */
    static Map<String, Tensor> renamed(Map<String, Tensor> weights, Map<String, String> layers) {
        if (layers.isEmpty()) return weights;
        Map<String, Tensor> out = new LinkedHashMap<>();
        weights.forEach((name, t) -> {
            int dot = name.lastIndexOf('.');
            String layer = dot < 0 ? name : name.substring(0, dot);
            String to = layers.get(layer);
            out.put(to == null ? name : to + name.substring(dot), t);
        });
        return out;
    }

    /** Whether two lines' modules are the same instance (the same first {@code depth} segments), or neither is in one. */
    static boolean sameInstance(String a, String b, int depth) {
        return java.util.Objects.equals(prefix(a, depth), prefix(b, depth));
    }

    /** The module path cut to {@code depth} segments, or null where it has fewer. */
    private static String prefix(String module, int depth) {
        String[] s = module.isEmpty() ? new String[0] : module.split("\\.");
        return s.length < depth ? null : String.join(".", java.util.Arrays.asList(s).subList(0, depth));
    }

    /** The block call's name: the module path as the language writes names. */
    private static String scope(String module) {
        return module.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /**
     * Lines [from, to) as an instance: one value read from before the run, only the last line's
     * value read after it, and every named layer under the module; its body made relative ({@code in},
     * t1, t2, ..., names without the module's prefix), or null where it is not an instance.
     */
    private static Run run(List<String> lines, int from, int to, String module, List<String> outputs, Set<String> known) {
        String scope = scope(module);
        Set<String> defined = new HashSet<>();
        Set<String> external = new java.util.LinkedHashSet<>();
        List<String[]> parts = new ArrayList<>();
        for (int k = from; k < to; k++) {
            String l = lines.get(k);
            int eq = l.indexOf(" = ");
            String name = l.substring(0, eq), expression = l.substring(eq + 3);
            for (String v : values(expression, known)) if (!defined.contains(v)) external.add(v);
            defined.add(name);
            parts.add(new String[] {name, expression});
        }
        // One value in, and at least one layer with weights: a ReLU module used twice is no block.
        if (external.size() != 1 || !String.join("\n", lines.subList(from, to)).contains("name=\"")) return null;
        String last = parts.getLast()[0];
        for (int k = to; k < lines.size(); k++) {
            for (String v : values(lines.get(k).substring(lines.get(k).indexOf(" = ") + 3), known)) {
                if (defined.contains(v) && !v.equals(last)) return null;
            }
        }
        for (String o : outputs) if (defined.contains(o) && !o.equals(last)) return null;
        Map<String, String> local = new HashMap<>();
        String input = external.iterator().next();
        local.put(input, "in");
        int t = 1;
        for (String[] p : parts) local.put(p[0], "t" + t++);
        StringBuilder body = new StringBuilder();
        for (int k = 0; k < parts.size(); k++) {
            String expression = relative(parts.get(k)[1], local, scope);
            if (expression == null) return null;
            body.append(k == parts.size() - 1 ? expression : local.get(parts.get(k)[0]) + " = " + expression).append('\n');
        }
        return new Run(from, to, module, input, last, body.toString());
    }

    /** The values (of {@code known}) an expression reads, outside quoted layer names. */
    private static List<String> values(String expression, Set<String> known) {
        List<String> out = new ArrayList<>();
        String[] quoted = expression.split("\"", -1);
        for (int i = 0; i < quoted.length; i += 2) {
            Matcher m = WORD.matcher(quoted[i]);
            while (m.find()) if (known.contains(m.group())) out.add(m.group());
        }
        return out;
    }

    private static final Pattern WORD = Pattern.compile("\\b[A-Za-z_][A-Za-z0-9_]*\\b");

    /** The expression with values renamed and layer names made relative to the scope; null where a name is not under it. */
    private static String relative(String expression, Map<String, String> local, String scope) {
        String[] quoted = expression.split("\"", -1);
        for (int i = 0; i < quoted.length; i++) {
            if (i % 2 == 0) {
                quoted[i] = WORD.matcher(quoted[i]).replaceAll(m -> local.getOrDefault(m.group(), m.group()));
            } else if (quoted[i - 1].endsWith("name=")) {
                if (!quoted[i].startsWith(scope + "_") || quoted[i].length() == scope.length() + 1) return null;
                quoted[i] = quoted[i].substring(scope.length() + 1);
                // A Sequential's children are numbers ("0", "3"), which are no names in the language.
                if (!Character.isLetter(quoted[i].charAt(0))) return null;
            }
        }
        return String.join("\"", quoted);
    }
}
