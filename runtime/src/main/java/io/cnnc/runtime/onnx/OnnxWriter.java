package io.cnnc.runtime.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.cnnc.kernels.OnnxGraph.Attribute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Encodes the subset of ONNX's ModelProto that the exporter produces, with protobuf's
 * wire-format encoder and the field numbers of onnx.proto (the same ones OnnxReader reads).
 */
final class OnnxWriter {

    private OnnxWriter() {}

    record NodeSpec(String op, String name, List<String> inputs, List<String> outputs, List<Attribute> attrs) {}

    record Init(String name, long[] dims, float[] floats, long[] longs) {}

    record IO(String name, long[] dims) {}   // -1 marks the symbolic batch

    static byte[] model(String graphName, long opset, List<NodeSpec> nodes, List<Init> inits, List<IO> inputs, List<IO> outputs)
            throws IOException {
        byte[] graph = message(out -> {
            for (NodeSpec n : nodes) out.writeByteArray(1, node(n));
            out.writeString(2, graphName);
            for (Init t : inits) out.writeByteArray(5, tensor(t));
            for (IO i : inputs) out.writeByteArray(11, valueInfo(i));
            for (IO o : outputs) out.writeByteArray(12, valueInfo(o));
        });
        return message(out -> {
            out.writeInt64(1, 8);                       // ir_version 8 (ONNX 1.10+)
            out.writeString(2, "cnnc");
            out.writeString(3, "0.1");
            out.writeByteArray(7, graph);
            out.writeByteArray(8, message(o -> {        // opset_import
                o.writeString(1, "");
                o.writeInt64(2, opset);
            }));
        });
    }

    /** Writes a message's fields; tests build malformed models with it too. */
    interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] node(NodeSpec n) throws IOException {
        return message(out -> {
            for (String i : n.inputs()) out.writeString(1, i);
            for (String o : n.outputs()) out.writeString(2, o);
            out.writeString(3, n.name());
            out.writeString(4, n.op());
            for (Attribute a : n.attrs()) out.writeByteArray(5, attribute(a));
        });
    }

    private static byte[] attribute(Attribute a) throws IOException {
        return message(out -> {
            out.writeString(1, a.name());
            if (a.f() != null) {
                out.writeFloat(2, a.f());
                out.writeInt32(20, 1);                  // FLOAT
            } else if (a.i() != null) {
                out.writeInt64(3, a.i());
                out.writeInt32(20, 2);                  // INT
            } else if (a.s() != null) {
                out.writeBytes(4, ByteString.copyFromUtf8(a.s()));
                out.writeInt32(20, 3);                  // STRING
            } else {
                for (long v : a.ints()) out.writeInt64(8, v);
                out.writeInt32(20, 7);                  // INTS
            }
        });
    }

    private static byte[] tensor(Init t) throws IOException {
        return message(out -> {
            for (long d : t.dims()) out.writeInt64(1, d);
            boolean ints = t.longs() != null;
            out.writeInt32(2, ints ? OnnxReader.INT64 : OnnxReader.FLOAT);
            out.writeString(8, t.name());
            ByteBuffer raw = ByteBuffer.allocate(ints ? t.longs().length * 8 : t.floats().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            if (ints) for (long v : t.longs()) raw.putLong(v);
            else for (float v : t.floats()) raw.putFloat(v);
            out.writeBytes(9, ByteString.copyFrom(raw.array()));
        });
    }

    private static byte[] valueInfo(IO io) throws IOException {
        byte[] shape = message(out -> {
            for (long d : io.dims()) {
                out.writeByteArray(1, message(dim -> {
                    if (d < 0) dim.writeString(2, "batch");
                    else dim.writeInt64(1, d);
                }));
            }
        });
        byte[] tensorType = message(out -> {
            out.writeInt32(1, OnnxReader.FLOAT);
            out.writeByteArray(2, shape);
        });
        return message(out -> {
            out.writeString(1, io.name());
            out.writeByteArray(2, message(type -> type.writeByteArray(1, tensorType)));
        });
    }
}
