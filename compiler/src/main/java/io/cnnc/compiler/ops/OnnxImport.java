package io.cnnc.compiler.ops;

import io.cnnc.kernels.OnnxModel.Node;
import io.cnnc.kernels.OnnxModel.TensorData;
import java.util.Arrays;
import java.util.Locale;

/**
 * What an op's ONNX import rule ({@link OnnxImportRule}) reads and writes for one node: the
 * node, its inputs as network values or constants, and the .cnn lines and weights it adds.
 * The importer in runtime implements it; values stay per-sample {@code [C, H, W]} (or {@code [F]}).
 */
public interface OnnxImport {

    /** The batch dimension inside folded shape arithmetic: unknown, and kept symbolic. */
    long BATCH = Long.MIN_VALUE;

    /** A value the network computes: its .cnn binding, per-sample [C, H, W], and its rank in ONNX (4, or 2 for [N, F]). */
    record Value(String name, int c, int h, int w, int rank) {}

    /** A node's output a rule holds back for a later node's rule to finish; read any other way, the import fails in these words. */
    interface Held {
        String misuse();
    }

    /** Zero padding of H and W held back by a Pad node, for the conv or pooling it feeds to take into its own padding. */
    record ZeroPad(Value source, int top, int left, int bottom, int right) implements Held {
        @Override
        public String misuse() {
            return "zero padding that does not feed a conv or pooling";
        }
    }

    /**
     * A value in [N, H, W, C], between a Transpose to channels last and the Transpose back, with
     * the layers that nodes on it have become so far ({@code calls}, "a -> b", or null) and its
     * channels now: ConvNeXt's blocks run a layer norm, Linear layers (MatMul, Add) and a GELU
     * there, each a per-pixel layer that .cnn computes on [N, C, H, W] as it is.
     */
    record ChannelsLast(Value source, String calls, int channels) implements Held {

        /** The same value once {@code call} has run on it, with {@code channels} after it. */
        public ChannelsLast then(String call, int channels) {
            return new ChannelsLast(source, calls == null ? call : calls + " -> " + call, channels);
        }

        @Override
        public String misuse() {
            return "a channel-last value (after a Transpose perm [0, 2, 3, 1]) read by something other than a layer norm, a MatMul or Add "
                    + "by a constant, a GELU or the Transpose back";
        }
    }

    /** Why a node cannot become .cnn; the importer lists it with the node's name. */
    final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    Node node();

    long opset();

    /** Input {@code i} as a computed value; refused where it is a constant, missing or held back by another rule. */
    Value in(int i) throws Refused;

    /** Input {@code i} where it is a value the network computes (not held back, not a constant); null otherwise. */
    Value computed(int i);

    /** Input {@code i} as a constant (initializer, Constant node or folded shape arithmetic); null where it is computed or absent. */
    TensorData constant(int i);

    /** What a rule held back for input {@code i} with {@link #hold}; null where nothing was. */
    Held held(int i);

    /** Holds the node's output back as {@code pattern}, for a later node's rule to finish (a Pad before a conv, a channel shuffle's reshape). */
    void hold(Held pattern);

    /** Binds the node's output to a new value {@code expression} computes ({@code "v3 -> relu"}, {@code "v1 + v2"}). */
    void emit(String expression, int c, int h, int w, int rank);

    /** As {@link #emit(String, int, int, int, int)}, for output {@code output} of a node that has several (Split). */
    void emitOutput(int output, String expression, int c, int h, int w, int rank);

    default void emit(Value source, String call, int c, int h, int w, int rank) {
        emit(source.name() + " -> " + call, c, h, w, rank);
    }

    /** The node's output is {@code v} itself. */
    void alias(Value v);

    /** A fresh layer name from the node's own name ({@code fallback} where it has none that .cnn accepts). */
    String layerName(String fallback);

    /** A named weight of the layers this node becomes. */
    void weight(String name, float[] values, int... dims);

    /** Whether input {@code i} comes out of a relu or relu6, so a lower bound at or below 0 does nothing. */
    boolean nonNegative(int i);

    /**
     * A binary node with one computed and one constant input: the index of the computed one.
     * {@code reversed} words a constant-first form the op cannot express ("constant minus a
     * value"); null where it can.
     */
    default int computedOperand(String reversed) throws Refused {
        Value a = computed(0);
        Value b = computed(1);
        if (a != null && b != null) throw new Refused(node().opType() + " of two computed values");
        int i = a != null ? 0 : 1;
        if ((a != null ? a : b) == null || constant(1 - i) == null) throw new Refused("inputs are neither values nor constants");
        if (i == 1 && reversed != null) throw new Refused(reversed);
        return i;
    }

    /** What a layer's weight is made of one value of its per-channel constant (negated for Sub, inverted for Div). */
    @FunctionalInterface
    interface ConstantMap {
        float apply(float v);
    }

    /**
     * A value with a per-channel constant as the layer {@code layer} ({@code scale} or
     * {@code shift}) whose weight is the constant through {@code map}; {@code reversed} as in
     * {@link #computedOperand}.
     */
    default void perChannelLayer(String layer, String reversed, ConstantMap map) throws Refused {
        int i = computedOperand(reversed);
        Value x = computed(i);
        float[] w = broadcast(constant(1 - i), x.c());
        for (int k = 0; k < w.length; k++) w[k] = map.apply(w[k]);
        String name = layerName(layer);
        weight(name + ".weight", w, x.c());
        emit(x, layer + "(name=\"" + name + "\")", x.c(), x.h(), x.w(), x.rank());
    }

    /** A Reshape's constant target shape. */
    default long[] reshapeTarget() throws Refused {
        TensorData shape = constant(1);
        if (shape == null || !shape.isInteger()) throw new Refused("shape must be computable while importing");
        return shape.longs();
    }

    /** Whether a reshape's first dimension keeps the batch (the symbolic batch, 0 to copy it, -1, or a batch of 1). */
    static boolean batchDimension(long d) {
        return d == BATCH || d == 0 || d == -1 || d == 1;
    }

    /**
     * A Reshape's target without its batch dimension, with 0 (copy the input's dimension) and one
     * -1 (the rest) resolved against the input's per-sample {@code dims}; null where the first
     * dimension is not the batch or the sizes do not resolve.
     */
    static long[] perSample(long[] t, long[] dims) {
        if (t.length < 2 || !batchDimension(t[0])) return null;
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

    /** A binary node of two computed values as the .cnn expression {@code a op b}; false where an input is not computed. */
    static boolean binary(OnnxImport n, String op) {
        Value a = n.computed(0);
        Value b = n.computed(1);
        if (a == null || b == null) return false;
        Value wide = a.h() * a.w() >= b.h() * b.w() ? a : b;
        n.emit(a.name() + op + b.name(), Math.max(a.c(), b.c()), wide.h(), wide.w(), Math.max(a.rank(), b.rank()));
        return true;
    }

    /** A 2-D attribute such as strides: two positive values (default 1, 1), as ONNX requires for a 2-D conv or pooling. */
    default long[] twoPositive(String key) throws Refused {
        long[] v = node().ints(key, new long[] {1, 1});
        if (v.length != 2 || v[0] <= 0 || v[1] <= 0 || v[0] > Integer.MAX_VALUE || v[1] > Integer.MAX_VALUE) {
            throw new Refused(key + " " + Arrays.toString(v) + " (a 2-D " + node().opType() + " needs two positive values)");
        }
        return v;
    }

    /** Pads as [top, left, bottom, right], from explicit pads or auto_pad. */
    default int[] pads(Value x, int kh, int kw, int sh, int sw, int dh, int dw) throws Refused {
        String auto = node().string("auto_pad", "NOTSET");
        if (auto.equals("SAME_UPPER") || auto.equals("SAME_LOWER")) {
            int[] h = same(x.h(), kh, sh, dh, auto.equals("SAME_LOWER"));
            int[] w = same(x.w(), kw, sw, dw, auto.equals("SAME_LOWER"));
            return new int[] {h[0], w[0], h[1], w[1]};
        }
        long[] p = node().ints("pads", new long[] {0, 0, 0, 0});
        if (p.length != 4) throw new Refused("pads must have 4 values for 2-D");
        for (long v : p) {
            if (v < 0 || v > Integer.MAX_VALUE) throw new Refused("pads " + Arrays.toString(p) + " (sizes must be non-negative)");
        }
        return new int[] {(int) p[0], (int) p[1], (int) p[2], (int) p[3]};
    }

    /** TensorFlow's "same" padding of one dimension as {before, after}; lower puts the odd one before. */
    static int[] same(int in, int k, int s, int d, boolean lower) {
        int out = (in + s - 1) / s;
        int total = Math.max(0, (out - 1) * s + d * (k - 1) + 1 - in);
        int small = total / 2;
        return lower ? new int[] {total - small, small} : new int[] {small, total - small};
    }

    /** The values of a weight tensor, which ONNX requires to be floating point. */
    static float[] floats(TensorData t, String what) throws Refused {
        if (t.isInteger()) {
            throw new Refused(what + " are integers (ONNX data type " + t.dataType() + "); the op takes float weights");
        }
        return t.floats();
    }

    /** Integer values of a constant (floats truncated). */
    static long[] ints(TensorData t) {
        if (t.isInteger()) return t.longs();
        long[] r = new long[t.floats().length];
        for (int i = 0; i < r.length; i++) r[i] = (long) t.floats()[i];
        return r;
    }

    /** The first value of a constant, or {@code fallback} where there is none. */
    static float scalar(TensorData t, float fallback) {
        if (t == null) return fallback;
        return t.isInteger() ? t.longs()[0] : t.floats()[0];
    }

    /** A constant of one value or of one value per channel (any shape of that many elements) as [size]. */
    static float[] broadcast(TensorData t, int size) throws Refused {
        float[] v;
        if (t.isInteger()) {
            v = new float[t.longs().length];
            for (int i = 0; i < v.length; i++) v[i] = t.longs()[i];
        } else {
            v = t.floats();
        }
        if (v.length == size) return v.clone();
        if (v.length == 1) {
            float[] r = new float[size];
            Arrays.fill(r, v[0]);
            return r;
        }
        throw new Refused("constant of " + v.length + " values where 1 or " + size + " (one per channel) were expected");
    }

    static float[] filled(int n, float v) {
        float[] r = new float[n];
        Arrays.fill(r, v);
        return r;
    }

    /** A row-major [rows, cols] matrix as [cols, rows]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /** .cnn text of a pair: one number where both are equal. */
    static String pair(long a, long b) {
        return a == b ? Long.toString(a) : "(" + a + ", " + b + ")";
    }

    /** .cnn text of a float literal. */
    static String fmt(float f) {
        String s = Float.toString(f).toLowerCase(Locale.ROOT);
        return s.contains("e") || s.contains(".") ? s : s + ".0";
    }
}
