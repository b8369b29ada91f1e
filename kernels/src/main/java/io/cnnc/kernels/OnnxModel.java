package io.cnnc.kernels;

import java.util.List;
import java.util.Map;

/** The parts of an ONNX ModelProto the importer reads (runtime's OnnxReader decodes them; op definitions translate nodes). */
public final class OnnxModel {

    private OnnxModel() {}

    public record Model(long irVersion, String producer, Map<String, Long> opsets, Graph graph) {
        public long opset() {
            return opsets.getOrDefault("", opsets.getOrDefault("ai.onnx", 0L));
        }
    }

    public record Graph(String name, List<Node> nodes, List<TensorData> initializers, List<ValueInfo> inputs, List<ValueInfo> outputs) {}

    public record Node(String opType, String domain, String name, List<String> inputs, List<String> outputs, Map<String, Attribute> attributes) {
        public long integer(String key, long fallback) {
            Attribute a = attributes.get(key);
            return a == null ? fallback : a.i();
        }

        public float number(String key, float fallback) {
            Attribute a = attributes.get(key);
            return a == null ? fallback : a.f();
        }

        public long[] ints(String key, long[] fallback) {
            Attribute a = attributes.get(key);
            return a == null ? fallback : a.ints();
        }

        public String string(String key, String fallback) {
            Attribute a = attributes.get(key);
            return a == null ? fallback : a.s();
        }
    }

    public record Attribute(String name, float f, long i, String s, TensorData t, float[] floats, long[] ints) {}

    /** Dims and values; integer tensors keep exact values in {@code longs}, others in {@code floats}. */
    public record TensorData(String name, long[] dims, int dataType, float[] floats, long[] longs) {
        public boolean isInteger() {
            return longs != null;
        }

        public long size() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }
    }

    /** A graph input or output: name, element type, and dims (-1 where symbolic, e.g. the batch). */
    public record ValueInfo(String name, int elemType, long[] dims) {}
}
