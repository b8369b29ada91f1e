package io.cnnc.runtime.onnx;

import static io.cnnc.compiler.ops.OnnxImport.BATCH;

import io.cnnc.compiler.layers.LayerCatalog;
import io.cnnc.compiler.ops.OnnxImport;
import io.cnnc.compiler.ops.OnnxImport.Value;
import io.cnnc.compiler.ops.OnnxImportRule;
import io.cnnc.kernels.OnnxModel.*;
import io.cnnc.runtime.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Translates an ONNX graph into .cnn source and named weights. Values flow as .cnn bindings
 * ({@code v3 = v2 -> conv(...)}); constants (initializers, Constant nodes, and shape arithmetic
 * folded here) never reach the .cnn. What a node becomes is its op definition's
 * {@link OnnxImportRule} (registered in LayerCatalog); this class walks the graph, keeps the
 * values and constants, and folds what has no layer (Constant, Identity, shape arithmetic, Pad
 * held for the conv it feeds). Every unsupported op is collected first and reported in one error,
 * so nothing is written for a model that cannot be imported whole.
 */
public final class OnnxImporter {

    /** The translation: .cnn text and the weights under the names it gives its layers. */
    public record Result(String source, Map<String, Tensor> weights) {}

    /** The ops' import rules by ONNX op type, pattern rules first. */
    private static final Map<String, List<OnnxImportRule>> RULES = LayerCatalog.onnxImports().stream()
            .flatMap(r -> r.opTypes().stream().map(t -> Map.entry(t, r)))
            .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));

    /** ONNX ops this class folds or holds itself: they never become a layer of their own. */
    private static final Set<String> STRUCTURAL = Set.of("Constant", "Pad", "Dropout", "Identity",
            "Shape", "Gather", "Unsqueeze", "Squeeze", "Slice", "Cast");

    private static final Set<String> SUPPORTED = Stream.of(RULES.keySet().stream(), STRUCTURAL.stream(), DecomposedActivations.firstOps().stream(),
            Stream.of(GeluPattern.ERF)).flatMap(s -> s).collect(Collectors.toUnmodifiableSet());

    private final Model model;
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, TensorData> constants = new HashMap<>();
    private final Map<String, OnnxImport.Held> held = new HashMap<>();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final Set<String> layerNames = new java.util.HashSet<>();
    private final List<String> lines = new ArrayList<>();
    /** The PyTorch module each line came from ("" where the node name has no scopes): what ImportBlocks groups by. */
    private final List<String> lineModules = new ArrayList<>();
    private final Map<String, String> producers = new HashMap<>();
    private final DecomposedActivations chains = new DecomposedActivations();
    private GeluPattern gelus;
    private int counter;

    private OnnxImporter(Model model) {
        this.model = model;
    }

    public static Result translate(Model model, String networkName) throws ImportException {
        return translate(model, networkName, null);
    }

    /** {@code inputShape} ([C, H, W], or null) fixes dimensions the model leaves symbolic. */
    public static Result translate(Model model, String networkName, int[] inputShape) throws ImportException {
        OnnxImporter importer = new OnnxImporter(model);
        importer.inputShape = inputShape;
        return importer.run(networkName);
    }

    private int[] inputShape;

    private Result run(String networkName) throws ImportException {
        Graph g = DecomposedLayerNorm.rewrite(model.graph());
        List<String> unsupported = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
                unsupported.add(describe(n) + " (domain " + n.domain() + ")");
            } else if (!SUPPORTED.contains(n.opType())) {
                unsupported.add(describe(n));
            }
        }
        if (!unsupported.isEmpty()) {
            throw new ImportException(unsupported.size() + " unsupported op" + (unsupported.size() == 1 ? "" : "s")
                    + " (opset " + model.opset() + "); nothing was written:\n  " + String.join("\n  ", unsupported));
        }
        for (TensorData t : g.initializers()) constants.put(t.name(), t);
        gelus = GeluPattern.find(g);
        StringBuilder header = new StringBuilder();
        for (ValueInfo in : g.inputs()) {
            if (constants.containsKey(in.name())) continue; // old exporters list initializers as inputs
            long[] d = in.dims().clone();
            if (inputShape != null) {
                if (d.length != inputShape.length + 1) {
                    throw new ImportException("--input-shape has " + inputShape.length + " dimensions, input '" + in.name() + "' has " + (d.length - 1));
                }
                for (int i = 0; i < inputShape.length; i++) {
                    if (inputShape[i] <= 0) throw new ImportException("--input-shape sizes must be positive, not " + inputShape[i]);
                    if (d[i + 1] > 0 && d[i + 1] != inputShape[i]) {
                        throw new ImportException("--input-shape gives " + inputShape[i] + " where input '" + in.name() + "' fixes " + d[i + 1]);
                    }
                    d[i + 1] = inputShape[i];
                }
            }
            for (int i = 1; i < d.length; i++) {
                if (d[i] == 0 || d[i] > Integer.MAX_VALUE) {
                    throw new ImportException("input '" + in.name() + "' has size " + d[i] + " in dimension " + i + " of "
                            + java.util.Arrays.toString(in.dims()) + (d[i] == 0 ? "; sizes must be positive" : ", more than cnnc's largest " + Integer.MAX_VALUE));
                }
            }
            Value v;
            String name = inputName(in.name());
            if (d.length == 4) v = new Value(name, (int) d[1], (int) d[2], (int) d[3], 4);
            else if (d.length == 2) v = new Value(name, (int) d[1], 1, 1, 2);
            else throw new ImportException("input '" + in.name() + "' has rank " + d.length + "; cnnc networks take [N, C, H, W] or [N, F]");
            if (v.c() <= 0 || v.h() <= 0 || v.w() <= 0) {
                throw new ImportException("input '" + in.name() + "' has symbolic sizes " + java.util.Arrays.toString(in.dims())
                        + "; give them with --input-shape C,H,W (only the batch may stay symbolic)");
            }
            values.put(in.name(), v);
            header.append("  input ").append(v.name()).append(": ").append(v.rank() == 4
                    ? "[" + v.c() + ", " + v.h() + ", " + v.w() + "]" : "[" + v.c() + "]").append('\n');
        }
        List<String> problems = new ArrayList<>();
        Set<String> failed = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            if (n.inputs().stream().anyMatch(failed::contains)) {
                failed.addAll(n.outputs()); // follows from an error already listed
                continue;
            }
            try {
                if (n.outputs().isEmpty() || n.outputs().getFirst().isEmpty()) throw new ImportException("has no output");
                node(new NodeImport(n));
                producers.put(n.outputs().getFirst(), n.opType());
            } catch (ImportException | OnnxImport.Refused e) {
                problems.add(describe(n) + ": " + e.getMessage());
                failed.addAll(n.outputs());
            } catch (RuntimeException e) {
                // A case no check above foresaw is still this node's problem, not a crash of cnnc.
                problems.add(describe(n) + ": cannot be translated (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
                failed.addAll(n.outputs());
            }
        }
        problems.addAll(chains.unfinished());
        if (!problems.isEmpty()) {
            throw new ImportException(problems.size() + " node" + (problems.size() == 1 ? "" : "s")
                    + " cannot be expressed in .cnn; nothing was written:\n  " + String.join("\n  ", problems));
        }
        List<String> outs = new ArrayList<>();
        for (ValueInfo o : g.outputs()) {
            if (held.containsKey(o.name())) throw new ImportException("output '" + o.name() + "' is " + held.get(o.name()).misuse());
            Value v = values.get(o.name());
            if (v == null) throw new ImportException("output '" + o.name() + "' is a constant, not computed from the input");
            outs.add(v.name());
        }
        StringBuilder src = new StringBuilder();
        src.append("// Imported by `cnnc import` from an ONNX model (opset ").append(model.opset())
                .append(model.producer().isEmpty() ? "" : ", produced by " + model.producer()).append(").\n");
        src.append("// Weights are in the .safetensors file of the same name.\n");
        java.util.Set<String> inputNames = new java.util.HashSet<>();
        for (ValueInfo in : g.inputs()) if (values.containsKey(in.name())) inputNames.add(values.get(in.name()).name());
        // Instances at the module depth that folds the most lines (ties: the shallower).
        ImportBlocks.Folded folded = null;
        List<String> foldedOuts = null;
        int best = -1;
        for (int d : ImportBlocks.DEPTHS) {
            List<String> trial = new ArrayList<>(outs);
            ImportedChains.Merged m = ImportedChains.merge(lines, lineModules, trial, inputNames, d);
            ImportBlocks.Folded f = ImportBlocks.fold(m.lines(), m.modules(), trial, inputNames, d);
            if (m.lines().size() - f.lines().size() > best) {
                best = m.lines().size() - f.lines().size();
                folded = f;
                foldedOuts = trial;
            }
        }
        outs = foldedOuts;
        for (String b : folded.blocks()) src.append(b).append("\n\n");
        src.append("network ").append(networkName).append(" {\n").append(header);
        for (String l : ImportedChains.merge(folded.lines(), outs, inputNames)) src.append("  ").append(l).append('\n');
        src.append("  output ").append(String.join(", ", outs)).append("\n}\n");
        return new Result(src.toString(), ImportBlocks.renamed(weights, folded.renamed()));
    }

    /**
     * The PyTorch module a node came from, from the scopes the exporter writes into its name:
     * {@code /layer1/layer1.0/conv1/Conv} is {@code layer1.0.conv1}, each scope either extending the
     * one before ({@code layer1.0} after {@code layer1}) or naming a child of the path so far. A name
     * without scopes is kept as it is.
     */
    static String modulePath(String nodeName) {
        if (!nodeName.startsWith("/")) return nodeName;
        String[] scopes = nodeName.substring(1).split("/");
        if (scopes.length < 2) return nodeName;
        String path = "";
        String last = null;
        for (int i = 0; i < scopes.length - 1; i++) {
            String s = scopes[i];
            if (last != null && s.startsWith(last + ".")) path += s.substring(last.length());
            else path = path.isEmpty() ? s : path + "." + s;
            last = s;
        }
        return path;
    }

    private static String describe(Node n) {
        return n.opType() + " '" + n.name() + "'";
    }

    /** Keywords of the language and names of its layers' expressions: an input named so keeps a vN name. */
    private static final Set<String> RESERVED = Set.of("block", "concat", "false", "input", "network", "output", "repeat", "train", "true", "in");

    /**
     * The ONNX input's own name where it is one the language takes (PyTorch's "image", "input.1"
     * sanitised to "input_1"), else the next vN: the imported file then says what its input is.
     */
    private String inputName(String onnxName) {
        String s = onnxName.replaceAll("[^A-Za-z0-9_]", "_");
        boolean usable = s.matches("[A-Za-z][A-Za-z0-9_]*") && !s.matches("v\\d+") && !RESERVED.contains(s)
                && values.values().stream().noneMatch(v -> v.name().equals(s));
        return usable ? s : newValueName();
    }

    private String newValueName() {
        return "v" + (counter++);
    }

    private void node(NodeImport i) throws ImportException, OnnxImport.Refused {
        Node n = i.node();
        if (gelus.skips(n)) return;
        String geluOf = gelus.closes(n);
        if (geluOf != null) {
            if (held.get(geluOf) instanceof OnnxImport.ChannelsLast last) {
                i.hold(last.then("gelu", last.channels()));
                return;
            }
            Value x = values.get(geluOf);
            if (x == null) throw new ImportException("input '" + geluOf + "' must be computed from the network input here");
            i.emit(x, "gelu", x.c(), x.h(), x.w(), x.rank());
            return;
        }
        DecomposedActivations.Closed closed = chains.closing(n);
        if (closed != null) {
            Value x = values.get(closed.source());
            if (x == null) throw new ImportException("input '" + closed.source() + "' must be computed from the network input here");
            i.emit(x, closed.kind().definition().name(), x.c(), x.h(), x.w(), x.rank());
            return;
        }
        if (chains.holds(n)) return;
        if (fold(i)) return;
        for (OnnxImportRule rule : RULES.getOrDefault(n.opType(), List.of())) {
            if (rule.translation().translate(i)) return;
        }
        throw new ImportException("unsupported");
    }

    /** Folds what needs no layer: constants, identities, zero padding and shape arithmetic; false for anything else. */
    private boolean fold(NodeImport i) throws ImportException, OnnxImport.Refused {
        Node n = i.node();
        String out = n.outputs().getFirst();
        switch (n.opType()) {
            case "Constant" -> {
                Attribute a = n.attributes().get("value");
                if (a != null && a.t() != null) constants.put(out, a.t());
                else if (n.attributes().containsKey("value_float")) constants.put(out,
                        new TensorData("", new long[0], OnnxReader.FLOAT, new float[] {n.number("value_float", 0)}, null));
                else if (n.attributes().containsKey("value_int")) constants.put(out,
                        new TensorData("", new long[0], OnnxReader.INT64, null, new long[] {n.integer("value_int", 0)}));
                else if (n.attributes().containsKey("value_ints")) {
                    long[] v = n.ints("value_ints", new long[0]);
                    constants.put(out, new TensorData("", new long[] {v.length}, OnnxReader.INT64, null, v));
                } else throw new ImportException("Constant without a supported value attribute");
            }
            case "Pad" -> pad(i);
            case "Dropout", "Identity" -> {
                if (constants.containsKey(n.inputs().getFirst())) constants.put(out, constants.get(n.inputs().getFirst()));
                else i.alias(i.in(0));
            }
            case "Slice" -> {
                // A slice of shape arithmetic folds; one of a computed value is a layer (SliceOp).
                if (i.constant(0) == null) return false;
                shapeArithmetic(i);
            }
            case "Shape", "Gather", "Unsqueeze", "Squeeze", "Cast" -> shapeArithmetic(i);
            case "Add", "Sub", "Mul", "Div" -> {
                TensorData a = i.constant(0);
                TensorData b = i.constant(1);
                if (a == null || b == null) return false;
                constants.put(out, foldArithmetic(n.opType(), a, b));
            }
            case "Concat" -> {
                if (!n.inputs().stream().allMatch(constants::containsKey)) return false;
                List<Long> all = new ArrayList<>();
                for (String in : n.inputs()) for (long v : OnnxImport.ints(constants.get(in))) all.add(v);
                long[] v = all.stream().mapToLong(Long::longValue).toArray();
                constants.put(out, new TensorData("", new long[] {v.length}, OnnxReader.INT64, null, v));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Zero padding of H and W, held for the next conv or pooling to take into its own padding. */
    private void pad(NodeImport i) throws ImportException, OnnxImport.Refused {
        Node n = i.node();
        Value x = i.in(0);
        if (!n.string("mode", "constant").equals("constant")) throw new ImportException("Pad mode " + n.string("mode", ""));
        long[] p = n.attributes().containsKey("pads") ? n.ints("pads", new long[0]) : OnnxImport.ints(requireConstant(i, 1));
        float value = n.attributes().containsKey("value") ? n.number("value", 0) : OnnxImport.scalar(i.constant(2), 0);
        if (value != 0) throw new ImportException("padding with " + value + " (only zeros)");
        if (p.length != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0) throw new ImportException("padding other than H and W");
        if (p[2] == 0 && p[3] == 0 && p[6] == 0 && p[7] == 0) {
            i.alias(x);
            return;
        }
        i.hold(new OnnxImport.ZeroPad(x, (int) p[2], (int) p[3], (int) p[6], (int) p[7]));
    }

    /** Shape arithmetic PyTorch emits around reshapes, evaluated here with the batch kept symbolic. */
    private void shapeArithmetic(NodeImport node) throws ImportException, OnnxImport.Refused {
        Node n = node.node();
        String out = n.outputs().getFirst();
        switch (n.opType()) {
            case "Shape" -> {
                Value x = node.in(0);
                long[] s = x.rank() == 4 ? new long[] {BATCH, x.c(), x.h(), x.w()} : new long[] {BATCH, x.c()};
                constants.put(out, new TensorData("", new long[] {s.length}, OnnxReader.INT64, null, s));
            }
            case "Cast" -> {
                TensorData t = requireConstant(node, 0);
                constants.put(out, t);
            }
            case "Gather" -> {
                TensorData data = requireConstant(node, 0);
                TensorData idx = requireConstant(node, 1);
                long[] d = OnnxImport.ints(data);
                long[] ix = OnnxImport.ints(idx);
                long[] r = new long[ix.length];
                for (int i = 0; i < ix.length; i++) {
                    if (ix[i] < -d.length || ix[i] >= d.length) {
                        throw new ImportException("index " + ix[i] + " is out of range for the " + d.length + " values it gathers from");
                    }
                    r[i] = d[(int) (ix[i] < 0 ? ix[i] + d.length : ix[i])];
                }
                constants.put(out, new TensorData("", idx.dims(), OnnxReader.INT64, null, r));
            }
            case "Unsqueeze", "Squeeze" -> {
                TensorData t = requireConstant(node, 0);
                long[] v = OnnxImport.ints(t);
                long[] dims = n.opType().equals("Unsqueeze") ? new long[] {v.length} : (v.length == 1 ? new long[0] : new long[] {v.length});
                constants.put(out, new TensorData("", dims, OnnxReader.INT64, null, v));
            }
            case "Slice" -> {
                long[] v = OnnxImport.ints(requireConstant(node, 0));
                long start = n.inputs().size() > 1 ? OnnxImport.ints(requireConstant(node, 1))[0] : n.ints("starts", new long[] {0})[0];
                long end = n.inputs().size() > 2 ? OnnxImport.ints(requireConstant(node, 2))[0] : n.ints("ends", new long[] {v.length})[0];
                if (start < 0) start += v.length;
                if (end < 0) end += v.length;
                end = Math.min(end, v.length);
                long[] r = java.util.Arrays.copyOfRange(v, (int) Math.max(0, start), (int) Math.max(start, end));
                constants.put(out, new TensorData("", new long[] {r.length}, OnnxReader.INT64, null, r));
            }
            default -> throw new ImportException("unsupported");
        }
    }

    private static TensorData requireConstant(NodeImport n, int i) throws ImportException {
        TensorData t = n.constant(i);
        if (t == null) throw new ImportException("input " + i + " must be constant (shape arithmetic)");
        return t;
    }

    private static TensorData foldArithmetic(String op, TensorData a, TensorData b) throws ImportException {
        long[] x = OnnxImport.ints(a);
        long[] y = OnnxImport.ints(b);
        if (x.length != y.length && x.length != 1 && y.length != 1) throw new ImportException("constant arithmetic on mismatched shapes");
        int n = Math.max(x.length, y.length);
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            long p = x[x.length == 1 ? 0 : i];
            long q = y[y.length == 1 ? 0 : i];
            if (p == BATCH || q == BATCH) r[i] = BATCH;
            else r[i] = switch (op) {
                case "Add" -> p + q;
                case "Mul" -> p * q;
                default -> q == 0 ? 0 : p / q;
            };
        }
        return new TensorData("", new long[] {n}, OnnxReader.INT64, null, r);
    }

    /** One node as its op's import rule sees it. */
    private final class NodeImport implements OnnxImport {
        private final Node node;

        NodeImport(Node node) {
            this.node = node;
        }

        @Override
        public Node node() {
            return node;
        }

        @Override
        public long opset() {
            return model.opset();
        }

        private String input(int i) {
            return i < node.inputs().size() ? node.inputs().get(i) : "";
        }

        @Override
        public Value in(int i) throws Refused {
            if (i >= node.inputs().size()) throw new Refused("missing input " + i);
            OnnxImport.Held h = held.get(input(i));
            if (h != null) throw new Refused(h.misuse());
            Value v = values.get(input(i));
            if (v == null) throw new Refused("input '" + input(i) + "' must be computed from the network input here");
            return v;
        }

        @Override
        public Value computed(int i) {
            return values.get(input(i));
        }

        @Override
        public TensorData constant(int i) {
            return input(i).isEmpty() ? null : constants.get(input(i));
        }

        @Override
        public Held held(int i) {
            return held.get(input(i));
        }

        @Override
        public void hold(Held pattern) {
            held.put(node.outputs().getFirst(), pattern);
        }

        @Override
        public void emit(String expression, int c, int h, int w, int rank) {
            emitOutput(0, expression, c, h, w, rank);
        }

        @Override
        public void emitOutput(int output, String expression, int c, int h, int w, int rank) {
            Value out = new Value(newValueName(), c, h, w, rank);
            lines.add(out.name() + " = " + expression);
            lineModules.add(node.name().startsWith("/") && node.name().indexOf('/', 1) > 0 ? modulePath(node.name()) : "");
            values.put(node.outputs().get(output), out);
        }

        @Override
        public void alias(Value v) {
            values.put(node.outputs().getFirst(), v);
        }

        @Override
        public String layerName(String fallback) {
            String base = modulePath(node.name()).replaceAll("[^A-Za-z0-9_]", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
            if (base.isEmpty() || !Character.isLetter(base.charAt(0))) base = fallback + (base.isEmpty() ? "" : "_" + base);
            String name = base;
            for (int k = 2; !layerNames.add(name); k++) name = base + "_" + k;
            return name;
        }

        @Override
        public void weight(String name, float[] data, int... dims) {
            weights.put(name, Tensor.of(data, dims));
        }

        @Override
        public boolean nonNegative(int i) {
            String op = producers.get(input(i));
            return "Relu".equals(op) || "Clip".equals(op) && values.containsKey(input(i)) && lines.getLast().endsWith("relu6");
        }
    }

    /** Names of the ops the importer accepts, for documentation and messages. */
    public static Set<String> supportedOps() {
        return new TreeSet<>(SUPPORTED);
    }
}
