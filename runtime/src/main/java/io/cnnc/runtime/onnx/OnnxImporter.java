package io.cnnc.runtime.onnx;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.OutputSize;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.onnx.OnnxModel.*;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Translates an ONNX graph into .cnn source and named weights. Values flow as .cnn bindings
 * ({@code v3 = v2 -> conv(...)}); constants (initializers, Constant nodes, and shape arithmetic
 * folded here) never reach the .cnn. Every unsupported op is collected first and reported in
 * one error, so nothing is written for a model that cannot be imported whole.
 */
public final class OnnxImporter {

    /** The translation: .cnn text and the weights under the names it gives its layers. */
    public record Result(String source, Map<String, Tensor> weights) {}

    /** A value in the network: its .cnn name, per-sample [C, H, W], and its rank in ONNX (4 or 2). */
    private record Val(String name, int c, int h, int w, int rank) {}

    /** The batch dimension inside folded shape arithmetic: unknown, and kept symbolic. */
    private static final long BATCH = Long.MIN_VALUE;

    /** ONNX op types read as an activation layer, from the activations' definitions. */
    private static final Map<String, ActivationKind> ACTIVATIONS = activations();

    private static final Set<String> SUPPORTED = Stream.of(ACTIVATIONS.keySet().stream(), DecomposedActivations.firstOps().stream(), Stream.of("Conv", "BatchNormalization", "Clip", "Add", "Sub", "Mul", "Div", "GlobalAveragePool", "GlobalMaxPool", "MaxPool", "AveragePool", "Gemm",
            "MatMul", "Flatten", "Reshape", "Concat", "Softmax", "Dropout", "Identity", "Constant", "Shape", "Gather",
            "Unsqueeze", "Slice", "Cast", "Squeeze", "HardSigmoid", "Pad", "Transpose",
            "Resize", "Upsample")).flatMap(s -> s).collect(Collectors.toUnmodifiableSet());

    private final Model model;
    private final Map<String, Val> values = new HashMap<>();
    private final Map<String, TensorData> constants = new HashMap<>();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final Set<String> layerNames = new java.util.HashSet<>();
    private final List<String> lines = new ArrayList<>();
    private final Map<String, String> producers = new HashMap<>();
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
        Graph g = model.graph();
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
            Val v;
            if (d.length == 4) v = new Val(newValueName(), (int) d[1], (int) d[2], (int) d[3], 4);
            else if (d.length == 2) v = new Val(newValueName(), (int) d[1], 1, 1, 2);
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
                node(n);
                producers.put(n.outputs().getFirst(), n.opType());
            } catch (ImportException e) {
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
            Val v = values.get(o.name());
            if (pendingShuffles.containsKey(o.name())) throw new ImportException("output '" + o.name() + "' is 5-D; cnnc values are [N, C, H, W]");
            if (v == null) throw new ImportException("output '" + o.name() + "' is a constant, not computed from the input");
            outs.add(v.name());
        }
        StringBuilder src = new StringBuilder();
        src.append("// Imported by `cnnc import` from an ONNX model (opset ").append(model.opset())
                .append(model.producer().isEmpty() ? "" : ", produced by " + model.producer()).append(").\n");
        src.append("// Weights are in the .safetensors file of the same name.\n");
        src.append("network ").append(networkName).append(" {\n").append(header);
        for (String l : lines) src.append("  ").append(l).append('\n');
        src.append("  output ").append(String.join(", ", outs)).append("\n}\n");
        return new Result(src.toString(), weights);
    }

    private static String describe(Node n) {
        return n.opType() + " '" + n.name() + "'";
    }

    private String newValueName() {
        return "v" + (counter++);
    }

    private String layerName(Node n, String fallback) {
        String base = n.name().replaceAll("[^A-Za-z0-9_]", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) base = fallback + (base.isEmpty() ? "" : "_" + base);
        String name = base;
        for (int k = 2; !layerNames.add(name); k++) name = base + "_" + k;
        return name;
    }

    private Val in(Node n, int i) throws ImportException {
        if (i >= n.inputs().size()) throw new ImportException("missing input " + i);
        if (pendingPads.containsKey(n.inputs().get(i))) throw new ImportException("zero padding that does not feed a conv or pooling");
        if (pendingShuffles.containsKey(n.inputs().get(i))) throw new ImportException("a 5-D value that is not part of a channel shuffle " + SHUFFLE);
        Val v = values.get(n.inputs().get(i));
        if (v == null) throw new ImportException("input '" + n.inputs().get(i) + "' must be computed from the network input here");
        return v;
    }

    private TensorData constant(Node n, int i) {
        if (i >= n.inputs().size() || n.inputs().get(i).isEmpty()) return null;
        return constants.get(n.inputs().get(i));
    }

    private void emit(Node n, Val source, String call, int c, int h, int w, int rank) {
        Val out = new Val(newValueName(), c, h, w, rank);
        lines.add(out.name() + " = " + source.name() + " -> " + call);
        values.put(n.outputs().getFirst(), out);
    }

    private void alias(Node n, Val v) {
        values.put(n.outputs().getFirst(), v);
    }

    private void node(Node n) throws ImportException {
        DecomposedActivations.Closed closed = chains.closing(n);
        if (closed != null) {
            Val x = values.get(closed.source());
            if (x == null) throw new ImportException("input '" + closed.source() + "' must be computed from the network input here");
            emit(n, x, closed.kind().definition().name(), x.c(), x.h(), x.w(), x.rank());
            return;
        }
        if (chains.holds(n)) return;
        switch (n.opType()) {
            case "Constant" -> {
                Attribute a = n.attributes().get("value");
                if (a != null && a.t() != null) constants.put(n.outputs().getFirst(), a.t());
                else if (n.attributes().containsKey("value_float")) constants.put(n.outputs().getFirst(),
                        new TensorData("", new long[0], OnnxReader.FLOAT, new float[] {n.number("value_float", 0)}, null));
                else if (n.attributes().containsKey("value_int")) constants.put(n.outputs().getFirst(),
                        new TensorData("", new long[0], OnnxReader.INT64, null, new long[] {n.integer("value_int", 0)}));
                else if (n.attributes().containsKey("value_ints")) {
                    long[] v = n.ints("value_ints", new long[0]);
                    constants.put(n.outputs().getFirst(), new TensorData("", new long[] {v.length}, OnnxReader.INT64, null, v));
                } else throw new ImportException("Constant without a supported value attribute");
            }
            case "Conv" -> conv(n);
            case "BatchNormalization" -> {
                Val x = in(n, 0);
                String name = layerName(n, "bn");
                putWeight(name + ".weight", constant(n, 1), x.c());
                putWeight(name + ".bias", constant(n, 2), x.c());
                putWeight(name + ".running_mean", constant(n, 3), x.c());
                putWeight(name + ".running_var", constant(n, 4), x.c());
                emit(n, x, "bn(eps=" + fmt(n.number("epsilon", 1e-5f)) + ", name=\"" + name + "\")", x.c(), x.h(), x.w(), x.rank());
            }
            case "HardSigmoid" -> {
                float alpha = n.number("alpha", 0.2f);
                float beta = n.number("beta", 0.5f);
                if (Math.abs(alpha - 1f / 6) < 1e-7 && beta == 0.5f) {
                    activation(n, "hardsigmoid");   // PyTorch's
                } else {
                    // clip(alpha*x + beta, 0, 1) = relu6(6*alpha*x + 6*beta) / 6 (ONNX's default alpha 0.2 is Keras's and Paddle's)
                    Val x = in(n, 0);
                    String base = layerName(n, "hardsigmoid");
                    weights.put(base + "_scale.weight", Tensor.of(filled(x.c(), 6 * alpha), x.c()));
                    weights.put(base + "_shift.weight", Tensor.of(filled(x.c(), 6 * beta), x.c()));
                    weights.put(base + "_div.weight", Tensor.of(filled(x.c(), 1f / 6), x.c()));
                    emit(n, x, "scale(name=\"" + base + "_scale\") -> shift(name=\"" + base + "_shift\") -> relu6 -> scale(name=\""
                            + base + "_div\")", x.c(), x.h(), x.w(), x.rank());
                }
            }
            case "Pad" -> pad(n);
            case "Clip" -> {
                float lo = n.attributes().containsKey("min") ? n.number("min", Float.NEGATIVE_INFINITY) : scalar(constant(n, 1), Float.NEGATIVE_INFINITY);
                float hi = n.attributes().containsKey("max") ? n.number("max", Float.POSITIVE_INFINITY) : scalar(constant(n, 2), Float.POSITIVE_INFINITY);
                // Older exporters write relu6 as Relu then Clip(max=6): on a non-negative input any lo <= 0 is 0.
                boolean nonNegative = nonNegative(n.inputs().getFirst());
                if (hi == 6 && (lo == 0 || lo < 0 && nonNegative)) activation(n, "relu6");
                else if (hi == Float.POSITIVE_INFINITY && (lo == 0 || lo < 0 && nonNegative)) activation(n, "relu");
                else if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) alias(n, in(n, 0));
                else if (Float.isFinite(lo) && Float.isFinite(hi) && hi > lo) {
                    // clip(x, lo, hi) = lo + (hi - lo) * relu6(6 (x - lo) / (hi - lo)) / 6
                    Val x = in(n, 0);
                    String base = layerName(n, "clip");
                    float k = 6 / (hi - lo);
                    weights.put(base + "_in.weight", Tensor.of(filled(x.c(), k), x.c()));
                    weights.put(base + "_from.weight", Tensor.of(filled(x.c(), -lo * k), x.c()));
                    weights.put(base + "_out.weight", Tensor.of(filled(x.c(), 1 / k), x.c()));
                    weights.put(base + "_to.weight", Tensor.of(filled(x.c(), lo), x.c()));
                    emit(n, x, "scale(name=\"" + base + "_in\") -> shift(name=\"" + base + "_from\") -> relu6 -> scale(name=\""
                            + base + "_out\") -> shift(name=\"" + base + "_to\")", x.c(), x.h(), x.w(), x.rank());
                } else throw new ImportException("Clip(" + lo + ", " + hi + ") with one open bound (only relu-like or two finite bounds)");
            }
            case "Dropout", "Identity" -> {
                if (constants.containsKey(n.inputs().getFirst())) constants.put(n.outputs().getFirst(), constants.get(n.inputs().getFirst()));
                else alias(n, in(n, 0));
            }
            case "GlobalAveragePool" -> {
                Val x = in(n, 0);
                emit(n, x, "gap", x.c(), 1, 1, 4);
            }
            case "GlobalMaxPool" -> {
                Val x = in(n, 0);
                emit(n, x, "globalmaxpool", x.c(), 1, 1, 4);
            }
            case "MaxPool", "AveragePool" -> pool(n);
            case "Flatten" -> {
                Val x = in(n, 0);
                if (n.integer("axis", 1) != 1) throw new ImportException("Flatten with axis " + n.integer("axis", 1));
                emit(n, x, "flatten", x.c() * x.h() * x.w(), 1, 1, 2);
            }
            case "Reshape" -> reshape(n);
            case "Transpose" -> transpose(n);
            case "Gemm" -> gemm(n);
            case "MatMul" -> {
                Val x = in(n, 0);
                TensorData b = constant(n, 1);
                if (b == null || b.dims().length != 2 || x.rank() != 2) throw new ImportException("only [N, K] x constant [K, M] is supported");
                int k = (int) b.dims()[0];
                int m = (int) b.dims()[1];
                String name = layerName(n, "dense");
                weights.put(name + ".weight", Tensor.of(transpose(floats(b, "B"), k, m), m, k));
                emit(n, x, "dense(" + m + ", bias=false, name=\"" + name + "\")", m, 1, 1, 2);
            }
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n);
            case "Concat" -> concat(n);
            case "Softmax" -> {
                Val x = in(n, 0);
                long axis = n.integer("axis", model.opset() >= 13 ? -1 : 1);
                boolean channels = axis == 1 || (x.rank() == 2 && axis == -1);
                if (!channels) throw new ImportException("Softmax over axis " + axis + " (cnnc's softmax is over channels)");
                emit(n, x, "softmax", x.c(), x.h(), x.w(), x.rank());
            }
            case "Shape", "Gather", "Unsqueeze", "Squeeze", "Slice", "Cast" -> fold(n);
            case "Resize", "Upsample" -> resize(n);
            default -> {
                ActivationKind kind = ACTIVATIONS.get(n.opType());
                if (kind == null) throw new ImportException("unsupported");
                activation(n, kind.definition().name() + (kind.definition().takesAlpha() ? "(alpha=" + fmt(n.number("alpha", 0.01f)) + ")" : ""));
            }
        }
    }

    private boolean nonNegative(String onnxName) {
        String op = producers.get(onnxName);
        return "Relu".equals(op) || "Clip".equals(op) && values.containsKey(onnxName) && lines.getLast().endsWith("relu6");
    }

    private static Map<String, ActivationKind> activations() {
        Map<String, ActivationKind> m = new HashMap<>();
        for (ActivationKind k : ActivationKind.values()) {
            for (String op : k.definition().onnxImports()) {
                if (m.put(op, k) != null) throw new IllegalStateException("two activations import ONNX " + op);
            }
        }
        return Map.copyOf(m);
    }

    private void activation(Node n, String call) throws ImportException {
        Val x = in(n, 0);
        emit(n, x, call, x.c(), x.h(), x.w(), x.rank());
    }

    private void conv(Node n) throws ImportException {
        PendingPad extra = pendingPads.remove(n.inputs().getFirst());
        Val x = extra != null ? extra.source() : in(n, 0);
        TensorData w = constant(n, 1);
        if (w == null || w.dims().length != 4) throw new ImportException("weights must be a constant [M, C/group, kH, kW]");
        float[] weightValues = floats(w, "weights '" + w.name() + "'");
        TensorData b = constant(n, 2);
        for (long size : w.dims()) {
            if (size <= 0) throw new ImportException("weights '" + w.name() + "' have shape " + java.util.Arrays.toString(w.dims()) + " (sizes must be positive)");
        }
        int out = (int) w.dims()[0];
        int kh = (int) w.dims()[2];
        int kw = (int) w.dims()[3];
        long[] s = twoPositive(n, "strides");
        long[] d = twoPositive(n, "dilations");
        long group = n.integer("group", 1);
        if (group <= 0 || group > x.c() || x.c() % group != 0) {
            throw new ImportException("group " + group + " does not divide the " + x.c() + " input channels");
        }
        int groups = (int) group;
        int[] pad = pads(n, x, kh, kw, (int) s[0], (int) s[1], (int) d[0], (int) d[1]);
        if (extra != null) pad = new int[] {pad[0] + extra.top(), pad[1] + extra.left(), pad[2] + extra.bottom(), pad[3] + extra.right()};
        String name = layerName(n, "conv");
        weights.put(name + ".weight", Tensor.of(weightValues, out, (int) w.dims()[1], kh, kw));
        if (b != null) putWeight(name + ".bias", b, out);
        int oh = OutputSize.conv(x.h(), kh, (int) s[0], pad[0], pad[2], (int) d[0]);
        int ow = OutputSize.conv(x.w(), kw, (int) s[1], pad[1], pad[3], (int) d[1]);
        emit(n, x, "conv(" + out + ", " + pair(kh, kw) + ", stride=" + pair(s[0], s[1]) + ", pad=" + padText(pad, x, kh, kw, s, d)
                + (d[0] != 1 || d[1] != 1 ? ", dilation=" + pair(d[0], d[1]) : "") + (groups != 1 ? ", groups=" + groups : "")
                + ", bias=" + (b != null) + ", name=\"" + name + "\")", out, oh, ow, 4);
    }

    /** pads as [top, left, bottom, right], from explicit pads or auto_pad. */
    private int[] pads(Node n, Val x, int kh, int kw, int sh, int sw, int dh, int dw) throws ImportException {
        String auto = n.string("auto_pad", "NOTSET");
        if (auto.equals("SAME_UPPER") || auto.equals("SAME_LOWER")) {
            int[] h = same(x.h(), kh, sh, dh, auto.equals("SAME_LOWER"));
            int[] w = same(x.w(), kw, sw, dw, auto.equals("SAME_LOWER"));
            return new int[] {h[0], w[0], h[1], w[1]};
        }
        long[] p = n.ints("pads", new long[] {0, 0, 0, 0});
        if (p.length != 4) throw new ImportException("pads must have 4 values for 2-D");
        for (long v : p) {
            if (v < 0 || v > Integer.MAX_VALUE) throw new ImportException("pads " + java.util.Arrays.toString(p) + " (sizes must be non-negative)");
        }
        return new int[] {(int) p[0], (int) p[1], (int) p[2], (int) p[3]};
    }

    private static int[] same(int in, int k, int s, int d, boolean lower) {
        int out = (in + s - 1) / s;
        int total = Math.max(0, (out - 1) * s + d * (k - 1) + 1 - in);
        int small = total / 2;
        return lower ? new int[] {total - small, small} : new int[] {small, total - small};
    }

    /** .cnn padding text: symmetric pairs, or "same" when the asymmetric pads are exactly TF-style same. */
    private static String padText(int[] p, Val x, int kh, int kw, long[] s, long[] d) throws ImportException {
        if (p[0] == p[2] && p[1] == p[3]) return pair(p[0], p[1]);
        int[] h = same(x.h(), kh, (int) s[0], (int) d[0], false);
        int[] w = same(x.w(), kw, (int) s[1], (int) d[1], false);
        if (p[0] == h[0] && p[2] == h[1] && p[1] == w[0] && p[3] == w[1]) return "\"same\"";
        return "(" + p[0] + ", " + p[1] + ", " + p[2] + ", " + p[3] + ")";
    }

    private void pool(Node n) throws ImportException {
        PendingPad extra = pendingPads.remove(n.inputs().getFirst());
        Val x = extra != null ? extra.source() : in(n, 0);
        if (n.ints("kernel_shape", null) == null) throw new ImportException("needs a 2-D kernel_shape");
        long[] k = twoPositive(n, "kernel_shape");
        long[] s = twoPositive(n, "strides");
        long[] d = twoPositive(n, "dilations");
        if (d[0] != 1 || d[1] != 1) throw new ImportException("dilated pooling");
        int[] p = pads(n, x, (int) k[0], (int) k[1], (int) s[0], (int) s[1], 1, 1);
        boolean ceil = n.integer("ceil_mode", 0) == 1;
        boolean avg = n.opType().equals("AveragePool");
        if (extra != null) {
            // Explicit zeros are real inputs: max pooling could pick them, average pooling counts them.
            if (!avg) throw new ImportException("max pooling over explicit zero padding");
            if (p[0] + p[1] + p[2] + p[3] > 0) throw new ImportException("explicit and implicit pooling padding together");
            p = new int[] {extra.top(), extra.left(), extra.bottom(), extra.right()};
        } else if (avg && (p[0] > 0 || p[1] > 0 || p[2] > 0 || p[3] > 0) && n.integer("count_include_pad", 0) == 0) {
            throw new ImportException("average pooling that excludes padding (count_include_pad=0) with pads > 0");
        }
        if (p[0] != p[2] || p[1] != p[3]) throw new ImportException("asymmetric pooling padding");
        int oh = OutputSize.pool(x.h(), (int) k[0], (int) s[0], p[0], p[2], ceil);
        int ow = OutputSize.pool(x.w(), (int) k[1], (int) s[1], p[1], p[3], ceil);
        emit(n, x, (avg ? "avgpool(" : "maxpool(") + pair(k[0], k[1]) + ", stride=" + pair(s[0], s[1]) + ", pad=" + pair(p[0], p[1])
                + (ceil ? ", ceil=true" : "") + ")", x.c(), oh, ow, 4);
    }

    /** Zero padding of H and W that the next conv or pooling takes into its own padding. */
    private record PendingPad(Val source, int top, int left, int bottom, int right) {}

    private final Map<String, PendingPad> pendingPads = new HashMap<>();
    private final DecomposedActivations chains = new DecomposedActivations();

    private void pad(Node n) throws ImportException {
        Val x = in(n, 0);
        if (!n.string("mode", "constant").equals("constant")) throw new ImportException("Pad mode " + n.string("mode", ""));
        long[] p = n.attributes().containsKey("pads") ? n.ints("pads", new long[0]) : ints(requireConstant(n, 1));
        float value = n.attributes().containsKey("value") ? n.number("value", 0) : scalar(constant(n, 2), 0);
        if (value != 0) throw new ImportException("padding with " + value + " (only zeros)");
        if (p.length != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0) throw new ImportException("padding other than H and W");
        if (p[2] == 0 && p[3] == 0 && p[6] == 0 && p[7] == 0) {
            alias(n, x);
            return;
        }
        pendingPads.put(n.outputs().getFirst(), new PendingPad(x, (int) p[2], (int) p[3], (int) p[6], (int) p[7]));
    }

    /** The pattern PyTorch writes for a channel shuffle (nn.ChannelShuffle, ShuffleNet's view/transpose/view), for messages. */
    private static final String SHUFFLE = "(Reshape to [N, g, C/g, H, W], Transpose perm [0, 2, 1, 3, 4], Reshape to [N, C, H, W])";

    /** The [N, g, C/g, H, W] view of {@code source} on its way to a channel shuffle; {@code swapped} once transposed. */
    private record PendingShuffle(Val source, int groups, boolean swapped) {
        long[] dims() {
            int per = source.c() / groups;
            return swapped ? new long[] {per, groups, source.h(), source.w()} : new long[] {groups, per, source.h(), source.w()};
        }
    }

    private final Map<String, PendingShuffle> pendingShuffles = new HashMap<>();

    /**
     * A Reshape's target without its batch dimension, with 0 (copy the input's dimension) and one
     * -1 (the rest) resolved against the input's per-sample {@code dims}; null where the first
     * dimension is not the batch or the sizes do not resolve.
     */
    private static long[] perSample(long[] t, long[] dims) {
        if (t.length < 2 || !(t[0] == BATCH || t[0] == 0 || t[0] == -1 || t[0] == 1)) return null;
        long size = 1;
        for (long d : dims) size *= d;
        long[] r = new long[t.length - 1];
        long known = 1;
        int infer = -1;
        for (int i = 0; i < r.length; i++) {
            long v = t[i + 1];
            if (v == 0 && i < dims.length) v = dims[i];
            if (v == -1 && infer < 0 && t[0] != -1) infer = i;
            else if (v <= 0) return null;
            else known *= v;
            r[i] = v;
        }
        if (infer >= 0) {
            if (size % known != 0) return null;
            r[infer] = size / known;
        }
        return r;
    }

    /** The channel swap of a channel shuffle; other transposes have no .cnn layer. */
    private void transpose(Node n) throws ImportException {
        PendingShuffle split = pendingShuffles.get(n.inputs().isEmpty() ? "" : n.inputs().getFirst());
        if (split == null || split.swapped() || !java.util.Arrays.equals(n.ints("perm", new long[0]), new long[] {0, 2, 1, 3, 4})) {
            throw new ImportException("only the Transpose of a channel shuffle is supported " + SHUFFLE);
        }
        pendingShuffles.put(n.outputs().getFirst(), new PendingShuffle(split.source(), split.groups(), true));
    }

    private void reshape(Node n) throws ImportException {
        TensorData shape = constant(n, 1);
        if (shape == null || !shape.isInteger()) throw new ImportException("shape must be computable while importing");
        long[] t = shape.longs();
        PendingShuffle split = pendingShuffles.get(n.inputs().getFirst());
        if (split != null) {
            Val x = split.source();
            long[] r = perSample(t, split.dims());
            if (r == null || !java.util.Arrays.equals(r, new long[] {x.c(), x.h(), x.w()})) {
                throw new ImportException("a 5-D value must be reshaped back to [N, " + x.c() + ", " + x.h() + ", " + x.w() + "] " + SHUFFLE);
            }
            if (split.swapped()) emit(n, x, "channelshuffle(" + split.groups() + ")", x.c(), x.h(), x.w(), 4);
            else alias(n, x);
            return;
        }
        Val x = in(n, 0);
        long[] r = perSample(t, new long[] {x.c(), x.h(), x.w()});
        if (r != null && r.length == 4 && r[0] * r[1] == x.c() && r[2] == x.h() && r[3] == x.w()) {
            pendingShuffles.put(n.outputs().getFirst(), new PendingShuffle(x, (int) r[0], false));
            return;
        }
        long size = (long) x.c() * x.h() * x.w();
        boolean batchKept = t.length >= 2 && (t[0] == BATCH || t[0] == 0 || t[0] == -1 || t[0] == 1) && (t[1] == -1 || t[1] == size);
        // cnnc's own export keeps a vector as [N, C, 1, 1], the shape dense and flatten have in .cnn.
        boolean flatten = batchKept && (t.length == 2 || t.length == 4 && t[2] == 1 && t[3] == 1);
        if (!flatten) throw new ImportException("only reshapes that flatten [N, C, H, W] to [N, C*H*W] (or [N, C*H*W, 1, 1]) are supported");
        if (t.length == 4 && x.h() == 1 && x.w() == 1) {
            alias(n, x);
            return;
        }
        emit(n, x, "flatten", (int) size, 1, 1, 2);
    }

    private void gemm(Node n) throws ImportException {
        Val x = in(n, 0);
        TensorData b = constant(n, 1);
        TensorData c = constant(n, 2);
        if (n.integer("transA", 0) != 0) throw new ImportException("transA=1");
        if (b == null || b.dims().length != 2) throw new ImportException("B must be a constant matrix");
        boolean transB = n.integer("transB", 0) == 1;
        int units = (int) (transB ? b.dims()[0] : b.dims()[1]);
        int k = (int) (transB ? b.dims()[1] : b.dims()[0]);
        if (k != x.c() * x.h() * x.w()) throw new ImportException("B has " + k + " inputs, the value has " + x.c() * x.h() * x.w());
        float alpha = n.number("alpha", 1);
        float beta = n.number("beta", 1);
        float[] w = transB ? floats(b, "B").clone() : transpose(floats(b, "B"), k, units);
        for (int i = 0; i < w.length; i++) w[i] *= alpha;
        String name = layerName(n, "dense");
        weights.put(name + ".weight", Tensor.of(w, units, k));
        if (c != null) {
            float[] bias = broadcast(c, units);
            for (int i = 0; i < bias.length; i++) bias[i] *= beta;
            weights.put(name + ".bias", Tensor.of(bias, units));
        }
        emit(n, x, "dense(" + units + ", bias=" + (c != null) + ", name=\"" + name + "\")", units, 1, 1, 2);
    }

    private void arithmetic(Node n) throws ImportException {
        Val a = values.get(n.inputs().get(0));
        Val b = values.get(n.inputs().get(1));
        TensorData ca = constants.get(n.inputs().get(0));
        TensorData cb = constants.get(n.inputs().get(1));
        if (ca != null && cb != null) {
            constants.put(n.outputs().getFirst(), foldArithmetic(n.opType(), ca, cb));
            return;
        }
        if (a != null && b != null) {
            if (n.opType().equals("Div") || n.opType().equals("Sub")) throw new ImportException(n.opType() + " of two computed values");
            String op = n.opType().equals("Add") ? " + " : " * ";
            Val wide = a.h() * a.w() >= b.h() * b.w() ? a : b;
            Val out = new Val(newValueName(), Math.max(a.c(), b.c()), wide.h(), wide.w(), Math.max(a.rank(), b.rank()));
            lines.add(out.name() + " = " + a.name() + op + b.name());
            values.put(n.outputs().getFirst(), out);
            return;
        }
        Val x = a != null ? a : b;
        TensorData k = a != null ? cb : ca;
        if (x == null || k == null) throw new ImportException("inputs are neither values nor constants");
        if (n.opType().equals("Div") && a == null) throw new ImportException("constant divided by a value");
        if (n.opType().equals("Sub") && a == null) throw new ImportException("constant minus a value");
        float[] factors = broadcast(k, x.c());
        if (n.opType().equals("Add") || n.opType().equals("Sub")) {
            if (n.opType().equals("Sub")) for (int i = 0; i < factors.length; i++) factors[i] = -factors[i];
            String name = layerName(n, "shift");
            weights.put(name + ".weight", Tensor.of(factors, x.c()));
            emit(n, x, "shift(name=\"" + name + "\")", x.c(), x.h(), x.w(), x.rank());
            return;
        }
        if (n.opType().equals("Div")) for (int i = 0; i < factors.length; i++) factors[i] = 1 / factors[i];
        String name = layerName(n, "scale");
        weights.put(name + ".weight", Tensor.of(factors, x.c()));
        emit(n, x, "scale(name=\"" + name + "\")", x.c(), x.h(), x.w(), x.rank());
    }

    private void concat(Node n) throws ImportException {
        if (n.inputs().stream().allMatch(constants::containsKey)) {
            List<Long> all = new ArrayList<>();
            for (String i : n.inputs()) for (long v : ints(constants.get(i))) all.add(v);
            long[] v = all.stream().mapToLong(Long::longValue).toArray();
            constants.put(n.outputs().getFirst(), new TensorData("", new long[] {v.length}, OnnxReader.INT64, null, v));
            return;
        }
        long axis = n.integer("axis", 1);
        List<Val> parts = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) parts.add(in(n, i));
        if (axis != 1 && !(axis == -3 && parts.getFirst().rank() == 4)) throw new ImportException("Concat along axis " + axis + " (cnnc joins channels)");
        if (parts.size() == 1) {
            alias(n, parts.getFirst());   // DenseNet's first layer concatenates one tensor
            return;
        }
        int c = parts.stream().mapToInt(Val::c).sum();
        Val out = new Val(newValueName(), c, parts.getFirst().h(), parts.getFirst().w(), parts.getFirst().rank());
        lines.add(out.name() + " = concat(" + String.join(", ", parts.stream().map(Val::name).toList()) + ")");
        values.put(n.outputs().getFirst(), out);
    }

    /** Shape arithmetic PyTorch emits around reshapes, evaluated here with the batch kept symbolic. */
    private void fold(Node n) throws ImportException {
        String out = n.outputs().getFirst();
        switch (n.opType()) {
            case "Shape" -> {
                Val x = in(n, 0);
                long[] s = x.rank() == 4 ? new long[] {BATCH, x.c(), x.h(), x.w()} : new long[] {BATCH, x.c()};
                constants.put(out, new TensorData("", new long[] {s.length}, OnnxReader.INT64, null, s));
            }
            case "Cast" -> {
                TensorData t = requireConstant(n, 0);
                constants.put(out, t);
            }
            case "Gather" -> {
                TensorData data = requireConstant(n, 0);
                TensorData idx = requireConstant(n, 1);
                long[] d = ints(data);
                long[] ix = ints(idx);
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
                TensorData t = requireConstant(n, 0);
                long[] v = ints(t);
                long[] dims = n.opType().equals("Unsqueeze") ? new long[] {v.length} : (v.length == 1 ? new long[0] : new long[] {v.length});
                constants.put(out, new TensorData("", dims, OnnxReader.INT64, null, v));
            }
            case "Slice" -> {
                long[] v = ints(requireConstant(n, 0));
                long start = n.inputs().size() > 1 ? ints(requireConstant(n, 1))[0] : n.ints("starts", new long[] {0})[0];
                long end = n.inputs().size() > 2 ? ints(requireConstant(n, 2))[0] : n.ints("ends", new long[] {v.length})[0];
                if (start < 0) start += v.length;
                if (end < 0) end += v.length;
                end = Math.min(end, v.length);
                long[] r = java.util.Arrays.copyOfRange(v, (int) Math.max(0, start), (int) Math.max(start, end));
                constants.put(out, new TensorData("", new long[] {r.length}, OnnxReader.INT64, null, r));
            }
            default -> throw new ImportException("unsupported");
        }
    }

    /** A 2-D attribute such as strides: two positive values (default 1, 1), as ONNX requires for a 2-D conv or pooling. */
    private static long[] twoPositive(Node n, String key) throws ImportException {
        long[] v = n.ints(key, new long[] {1, 1});
        if (v.length != 2 || v[0] <= 0 || v[1] <= 0 || v[0] > Integer.MAX_VALUE || v[1] > Integer.MAX_VALUE) {
            throw new ImportException(key + " " + java.util.Arrays.toString(v) + " (a 2-D " + n.opType() + " needs two positive values)");
        }
        return v;
    }

    /** The values of a weight tensor, which ONNX requires to be floating point. */
    private static float[] floats(TensorData t, String what) throws ImportException {
        if (t.isInteger()) {
            throw new ImportException(what + " are integers (ONNX data type " + t.dataType() + "); the op takes float weights");
        }
        return t.floats();
    }

    private TensorData requireConstant(Node n, int i) throws ImportException {
        TensorData t = constant(n, i);
        if (t == null) throw new ImportException("input " + i + " must be constant (shape arithmetic)");
        return t;
    }

    private static long[] ints(TensorData t) {
        if (t.isInteger()) return t.longs();
        long[] r = new long[t.floats().length];
        for (int i = 0; i < r.length; i++) r[i] = (long) t.floats()[i];
        return r;
    }

    private static TensorData foldArithmetic(String op, TensorData a, TensorData b) throws ImportException {
        long[] x = ints(a);
        long[] y = ints(b);
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

    private void putWeight(String name, TensorData t, int size) throws ImportException {
        if (t == null) throw new ImportException("parameter " + name + " must be a constant");
        weights.put(name, Tensor.of(broadcast(t, size), size));
    }

    /** A constant of one value or of one value per channel (any shape of that many elements) as [size]. */
    private static float[] broadcast(TensorData t, int size) throws ImportException {
        float[] v = t.isInteger() ? toFloats(t.longs()) : t.floats();
        if (v.length == size) return v.clone();
        if (v.length == 1) {
            float[] r = new float[size];
            java.util.Arrays.fill(r, v[0]);
            return r;
        }
        throw new ImportException("constant of " + v.length + " values where 1 or " + size + " (one per channel) were expected");
    }

    private static float[] filled(int n, float v) {
        float[] r = new float[n];
        java.util.Arrays.fill(r, v);
        return r;
    }

    private static float[] toFloats(long[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i];
        return r;
    }

    private static float scalar(TensorData t, float fallback) {
        if (t == null) return fallback;
        return t.isInteger() ? t.longs()[0] : t.floats()[0];
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    private static String pair(long a, long b) {
        return a == b ? Long.toString(a) : "(" + a + ", " + b + ")";
    }

    private static String fmt(float f) {
        String s = Float.toString(f).toLowerCase(Locale.ROOT);
        return s.contains("e") || s.contains(".") ? s : s + ".0";
    }

    /**
     * Resize (and opset 7-9's Upsample) as cnnc's upsample: integer factors on H and W only, given
     * by constant scales or sizes, in the coordinate rules that mean PyTorch's nn.Upsample: nearest
     * with asymmetric/floor (or half-pixel/round, ONNX's default, the same at whole factors), and
     * linear with half_pixel (or pytorch_half_pixel) or align_corners.
     */
    private void resize(Node n) throws ImportException {
        Val x = in(n, 0);
        if (x.rank() != 4) throw new ImportException("resizes a rank-" + x.rank() + " value; cnnc's upsample takes [N, C, H, W]");
        boolean old = n.opType().equals("Upsample");
        if (!old && model.opset() < 11) {
            throw new ImportException("Resize at opset " + model.opset() + " (before opset 11 it has no coordinate_transformation_mode; export at 11 or later)");
        }
        String mode = n.string("mode", "nearest");
        boolean bilinear;
        boolean align = false;
        if (mode.equals("nearest")) {
            bilinear = false;
            if (!old) {
                String ctm = n.string("coordinate_transformation_mode", "half_pixel");
                String rounding = n.string("nearest_mode", "round_prefer_floor");
                // At whole factors, half-pixel centres rounded to nearest land on floor(d / s) too: the fraction stays inside (-0.5, 0.5).
                boolean floor = ctm.equals("asymmetric") && rounding.equals("floor");
                boolean centres = (ctm.equals("half_pixel") || ctm.equals("pytorch_half_pixel"))
                        && (rounding.equals("round_prefer_floor") || rounding.equals("round_prefer_ceil"));
                if (!floor && !centres) {
                    throw new ImportException("nearest with coordinate_transformation_mode \"" + ctm + "\" and nearest_mode \"" + rounding
                            + "\" (cnnc's upsample takes \"asymmetric\" with \"floor\", as PyTorch exports, or half-pixel with round_prefer_*)");
                }
            }
        } else if (mode.equals("linear") && !old) {
            bilinear = true;
            String ctm = n.string("coordinate_transformation_mode", "half_pixel");
            align = ctm.equals("align_corners");
            if (!align && !ctm.equals("half_pixel") && !ctm.equals("pytorch_half_pixel")) {
                throw new ImportException("linear with coordinate_transformation_mode \"" + ctm
                        + "\" (cnnc's upsample takes \"half_pixel\", \"pytorch_half_pixel\" or \"align_corners\")");
            }
        } else {
            throw new ImportException("mode \"" + mode + "\"" + (old ? " in Upsample (only nearest; linear there is not PyTorch's bilinear)"
                    : " (cnnc's upsample takes nearest or linear)"));
        }
        long[] axes = n.ints("axes", null);
        if (axes != null) throw new ImportException("the axes attribute (cnnc's upsample resizes H and W of [N, C, H, W])");
        long[] factor = resizeFactors(n, x, old);
        emit(n, x, "upsample(" + pair(factor[0], factor[1]) + (bilinear ? ", mode=\"bilinear\"" : "") + (align ? ", align_corners=true" : "") + ")",
                x.c(), Math.multiplyExact(x.h(), (int) factor[0]), Math.multiplyExact(x.w(), (int) factor[1]), 4);
    }

    /** {sh, sw} from constant scales [1, 1, sh, sw] or sizes [N, C, H*sh, W*sw]; both whole and at least 1. */
    private long[] resizeFactors(Node n, Val x, boolean old) throws ImportException {
        TensorData scales = old && model.opset() < 9 ? null : constant(n, old ? 1 : 2);
        TensorData sizes = old ? null : constant(n, 3);
        float[] f;
        if (old && model.opset() < 9) {
            OnnxModel.Attribute a = n.attributes().get("scales");
            f = a == null ? null : a.floats();
        } else {
            f = scales == null || scales.size() == 0 ? null : floats(scales, "scales");
        }
        if (f != null) {
            if (f.length != 4 || f[0] != 1 || f[1] != 1) {
                throw new ImportException("scales " + java.util.Arrays.toString(f) + " (cnnc's upsample takes [1, 1, sh, sw])");
            }
            if (f[2] < 1 || f[3] < 1 || f[2] != Math.rint(f[2]) || f[3] != Math.rint(f[3]) || f[2] > Integer.MAX_VALUE || f[3] > Integer.MAX_VALUE) {
                throw new ImportException("scales " + java.util.Arrays.toString(f) + " (cnnc's upsample takes whole factors of at least 1)");
            }
            return new long[] {(long) f[2], (long) f[3]};
        }
        if (sizes != null && sizes.size() > 0) {
            long[] s = ints(sizes);
            if (s.length != 4 || s[1] != x.c() || s[2] < x.h() || s[3] < x.w() || s[2] % x.h() != 0 || s[3] % x.w() != 0) {
                throw new ImportException("sizes " + java.util.Arrays.toString(s) + " from [" + x.c() + ", " + x.h() + ", " + x.w()
                        + "] (cnnc's upsample takes whole multiples of H and W, channels unchanged)");
            }
            return new long[] {s[2] / x.h(), s[3] / x.w()};
        }
        throw new ImportException("needs constant scales or sizes (computed ones are not supported)");
    }

    /** Names of the ops the importer accepts, for documentation and messages. */
    public static Set<String> supportedOps() {
        return new TreeSet<>(SUPPORTED);
    }
}
