package io.cnnc.runtime.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.cnnc.runtime.io.FormatException;
import io.cnnc.runtime.io.HeapLimit;
import io.cnnc.kernels.OnnxModel.*;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ONNX files with protobuf's wire-format decoder, taking the fields the importer needs by
 * their numbers in onnx.proto and skipping the rest. Anything malformed becomes a FormatException.
 */
public final class OnnxReader {

    /** protobuf messages, and so ONNX files, are at most 2 GiB. */
    static final long MAX_FILE = Integer.MAX_VALUE;

    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, FLOAT16 = 10, DOUBLE = 11;

    private OnnxReader() {}

    public static Model read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new FormatException(path, "no such file");
        long size = Files.size(path);
        if (size > MAX_FILE) {
            throw new FormatException(path, "is " + HeapLimit.size(size) + "; an ONNX model file holds at most 2 GiB (protobuf's limit;"
                    + " larger models keep their weights in external data files, which cnnc does not read)");
        }
        // The bytes of the weights and their float32 copies are in memory together while reading.
        HeapLimit.check(path, 2 * size, "reading this ONNX model of " + HeapLimit.size(size));
        try (InputStream in = Files.newInputStream(path)) {
            CodedInputStream c = CodedInputStream.newInstance(in);
            c.setSizeLimit(Integer.MAX_VALUE);
            c.setRecursionLimit(200);
            return model(c);
        } catch (com.google.protobuf.InvalidProtocolBufferException | IllegalArgumentException | ArithmeticException e) {
            throw new FormatException(path, "not a valid ONNX model (" + e.getMessage() + ")");
        } catch (OutOfMemoryError e) { // weights stored value by value take more than the estimate above
            throw new FormatException(path, "reading this ONNX model of " + HeapLimit.size(size) + " needs more than the Java heap's "
                    + HeapLimit.size(HeapLimit.max()) + " (give the JVM more, e.g. CNNC_JAVA_OPTS=-Xmx" + Math.max(2, 3 * (size >> 30) + 2) + "g)");
        }
    }

    /** A serialised TensorProto on its own, as in ONNX's test data sets (input_0.pb, output_0.pb). */
    public static TensorData readTensor(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new FormatException(path, "no such file");
        try (InputStream in = Files.newInputStream(path)) {
            return tensor(CodedInputStream.newInstance(in));
        } catch (com.google.protobuf.InvalidProtocolBufferException | IllegalArgumentException | ArithmeticException e) {
            throw new FormatException(path, "not a valid ONNX tensor (" + e.getMessage() + ")");
        }
    }

    private static Model model(CodedInputStream c) throws IOException {
        long ir = 0;
        String producer = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        for (int tag; (tag = c.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> ir = c.readInt64();
                case 2 -> producer = c.readString();
                case 7 -> graph = nested(c, OnnxReader::graph);
                case 8 -> {
                    String[] domain = {""};
                    long[] version = {0};
                    nested(c, s -> {
                        for (int t; (t = s.readTag()) != 0; ) {
                            if (WireFormat.getTagFieldNumber(t) == 1) domain[0] = s.readString();
                            else if (WireFormat.getTagFieldNumber(t) == 2) version[0] = s.readInt64();
                            else s.skipField(t);
                        }
                        return null;
                    });
                    opsets.put(domain[0], version[0]);
                }
                default -> c.skipField(tag);
            }
        }
        if (graph == null) throw new IllegalArgumentException("no graph");
        return new Model(ir, producer, opsets, graph);
    }

    private interface Parser<T> {
        T parse(CodedInputStream c) throws IOException;
    }

    private static <T> T nested(CodedInputStream c, Parser<T> parser) throws IOException {
        int length = c.readRawVarint32();
        if (length < 0) throw new IllegalArgumentException("negative length");
        int old = c.pushLimit(length);
        T value = parser.parse(c);
        c.checkLastTagWas(0);
        c.popLimit(old);
        return value;
    }

    private static Graph graph(CodedInputStream c) throws IOException {
        String name = "";
        List<Node> nodes = new ArrayList<>();
        List<TensorData> inits = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        for (int tag; (tag = c.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> nodes.add(nested(c, OnnxReader::node));
                case 2 -> name = c.readString();
                case 5 -> inits.add(nested(c, OnnxReader::tensor));
                case 11 -> inputs.add(nested(c, OnnxReader::valueInfo));
                case 12 -> outputs.add(nested(c, OnnxReader::valueInfo));
                default -> c.skipField(tag);
            }
        }
        return new Graph(name, nodes, inits, inputs, outputs);
    }

    private static Node node(CodedInputStream c) throws IOException {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String name = "";
        String op = "";
        String domain = "";
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        for (int tag; (tag = c.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> in.add(c.readString());
                case 2 -> out.add(c.readString());
                case 3 -> name = c.readString();
                case 4 -> op = c.readString();
                case 5 -> {
                    Attribute a = nested(c, OnnxReader::attribute);
                    attrs.put(a.name(), a);
                }
                case 7 -> domain = c.readString();
                default -> c.skipField(tag);
            }
        }
        return new Node(op, domain, name, in, out, attrs);
    }

    private static Attribute attribute(CodedInputStream c) throws IOException {
        String name = "";
        float f = 0;
        long i = 0;
        String s = "";
        TensorData t = null;
        List<Float> floats = new ArrayList<>();
        List<Long> ints = new ArrayList<>();
        for (int tag; (tag = c.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            int wire = WireFormat.getTagWireType(tag);
            switch (field) {
                case 1 -> name = c.readString();
                case 2 -> f = c.readFloat();
                case 3 -> i = c.readInt64();
                case 4 -> s = c.readBytes().toStringUtf8();
                case 5 -> t = nested(c, OnnxReader::tensor);
                case 7 -> {
                    if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) packed(c, x -> floats.add(x.readFloat()));
                    else floats.add(c.readFloat());
                }
                case 8 -> {
                    if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) packed(c, x -> ints.add(x.readInt64()));
                    else ints.add(c.readInt64());
                }
                default -> c.skipField(tag);
            }
        }
        float[] fa = new float[floats.size()];
        for (int k = 0; k < fa.length; k++) fa[k] = floats.get(k);
        return new Attribute(name, f, i, s, t, fa, ints.stream().mapToLong(Long::longValue).toArray());
    }

    private interface Element {
        void read(CodedInputStream c) throws IOException;
    }

    private static void packed(CodedInputStream c, Element element) throws IOException {
        int length = c.readRawVarint32();
        int old = c.pushLimit(length);
        while (c.getBytesUntilLimit() > 0) element.read(c);
        c.popLimit(old);
    }

    private static TensorData tensor(CodedInputStream c) throws IOException {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = "";
        Words floatData = new Words();
        Words intData = new Words();
        Words doubleData = new Words();
        byte[] raw = null;
        boolean external = false;
        for (int tag; (tag = c.readTag()) != 0; ) {
            int wire = WireFormat.getTagWireType(tag);
            boolean packedField = wire == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    if (packedField) packed(c, x -> dims.add(x.readInt64()));
                    else dims.add(c.readInt64());
                }
                case 2 -> type = c.readInt32();
                case 4 -> {
                    if (packedField) packed(c, x -> floatData.add(x.readRawLittleEndian32()));
                    else floatData.add(c.readRawLittleEndian32());
                }
                case 5 -> {
                    if (packedField) packed(c, x -> intData.add(x.readInt32()));
                    else intData.add(c.readInt32());
                }
                case 7 -> {
                    if (packedField) packed(c, x -> intData.add(x.readInt64()));
                    else intData.add(c.readInt64());
                }
                case 8 -> name = c.readString();
                case 9 -> raw = c.readByteArray();
                case 10 -> {
                    if (packedField) packed(c, x -> doubleData.add(x.readRawLittleEndian64()));
                    else doubleData.add(c.readRawLittleEndian64());
                }
                case 14 -> external = c.readInt32() == 1;
                default -> c.skipField(tag);
            }
        }
        if (external) throw new IllegalArgumentException("tensor '" + name + "' keeps its data in an external file; save the model with the weights inside");
        long[] d = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long x : d) {
            if (x < 0) throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension");
            count = Math.multiplyExact(count, x);
        }
        if (count > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor '" + name + "' is too large");
        int n = (int) count;
        boolean integer = type == INT64 || type == INT32 || type == INT8 || type == UINT8;
        if (raw != null) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            int size = switch (type) {
                case FLOAT, INT32 -> 4;
                case INT64, DOUBLE -> 8;
                case FLOAT16 -> 2;
                case INT8, UINT8 -> 1;
                default -> throw new IllegalArgumentException("tensor '" + name + "' has unsupported data type " + type);
            };
            if ((long) n * size != raw.length) {
                throw new IllegalArgumentException("tensor '" + name + "' has shape " + java.util.Arrays.toString(d) + " (" + n
                        + " values of " + size + " bytes) but " + raw.length + " bytes of raw data");
            }
            if (integer) {
                long[] v = new long[n];
                for (int k = 0; k < n; k++) v[k] = switch (type) {
                    case INT64 -> b.getLong();
                    case INT32 -> b.getInt();
                    case INT8 -> b.get();
                    default -> Byte.toUnsignedInt(b.get());
                };
                return new TensorData(name, d, type, null, v);
            }
            float[] v = new float[n];
            for (int k = 0; k < n; k++) v[k] = switch (type) {
                case FLOAT -> b.getFloat();
                case DOUBLE -> (float) b.getDouble();
                default -> Float.float16ToFloat(b.getShort());
            };
            return new TensorData(name, d, type, v, null);
        }
        // The values present must match the declared shape before anything of that shape is allocated.
        Words present = switch (type) {
            case DOUBLE -> doubleData;
            case FLOAT -> floatData;
            case FLOAT16, INT64, INT32, INT8, UINT8 -> intData;
            default -> throw new IllegalArgumentException("tensor '" + name + "' has unsupported data type " + type);
        };
        if (present.size() != n) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + java.util.Arrays.toString(d) + " (" + n
                    + " values) but holds " + present.size());
        }
        if (integer) return new TensorData(name, d, type, null, intData.toArray());
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            long w = present.get(k);
            v[k] = switch (type) {
                case FLOAT -> Float.intBitsToFloat((int) w);
                case DOUBLE -> (float) Double.longBitsToDouble(w);
                default -> Float.float16ToFloat((short) w);
            };
        }
        return new TensorData(name, d, type, v, null);
    }

    /**
     * A tensor's repeated values as they arrive, each as a raw 64-bit word (a float's or a
     * double's bits, an integer): boxed lists took about six times the file's size in memory.
     */
    private static final class Words {
        private long[] words = new long[16];
        private int size;

        void add(long word) {
            if (size == words.length) words = java.util.Arrays.copyOf(words, Math.addExact(size, size >> 1));
            words[size++] = word;
        }

        int size() {
            return size;
        }

        long get(int k) {
            return words[k];
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(words, size);
        }
    }

    private static ValueInfo valueInfo(CodedInputStream c) throws IOException {
        String name = "";
        int[] elem = {0};
        List<Long> dims = new ArrayList<>();
        for (int tag; (tag = c.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = c.readString();
                case 2 -> nested(c, type -> {                      // TypeProto
                    for (int t; (t = type.readTag()) != 0; ) {
                        if (WireFormat.getTagFieldNumber(t) != 1) {
                            type.skipField(t);
                            continue;
                        }
                        nested(type, tensor -> {                  // TypeProto.Tensor
                            for (int u; (u = tensor.readTag()) != 0; ) {
                                int f = WireFormat.getTagFieldNumber(u);
                                if (f == 1) elem[0] = tensor.readInt32();
                                else if (f == 2) nested(tensor, shape -> {   // TensorShapeProto
                                    for (int v; (v = shape.readTag()) != 0; ) {
                                        if (WireFormat.getTagFieldNumber(v) != 1) {
                                            shape.skipField(v);
                                            continue;
                                        }
                                        long[] value = {-1};
                                        nested(shape, dim -> {
                                            for (int w; (w = dim.readTag()) != 0; ) {
                                                if (WireFormat.getTagFieldNumber(w) == 1) value[0] = dim.readInt64();
                                                else dim.skipField(w);
                                            }
                                            return null;
                                        });
                                        dims.add(value[0]);
                                    }
                                    return null;
                                });
                                else tensor.skipField(u);
                            }
                            return null;
                        });
                    }
                    return null;
                });
                default -> c.skipField(tag);
            }
        }
        return new ValueInfo(name, elem[0], dims.stream().mapToLong(Long::longValue).toArray());
    }
}
