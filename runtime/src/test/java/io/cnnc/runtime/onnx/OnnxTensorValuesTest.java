package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.cnnc.kernels.OnnxModel.TensorData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorProtos that keep their values field by field rather than as raw bytes (float_data,
 * int32_data, int64_data, double_data; packed or one field per value), written here with
 * protobuf's own encoder, read back value for value.
 */
class OnnxTensorValuesTest {

    @TempDir
    Path tmp;

    private static final int FLOAT_DATA = 4, INT32_DATA = 5, INT64_DATA = 7, DOUBLE_DATA = 10;

    private interface Values {
        void write(CodedOutputStream out) throws IOException;
    }

    /** A TensorProto of {@code dims} and {@code type} whose field {@code field} holds what {@code values} writes, packed or not. */
    private static byte[] tensor(int type, long[] dims, int field, boolean packed, Values values) throws IOException {
        return OnnxWriter.message(out -> {
            for (long d : dims) out.writeInt64(1, d);
            out.writeInt32(2, type);
            out.writeString(8, "t");
            if (packed) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                CodedOutputStream inner = CodedOutputStream.newInstance(bytes);
                values.write(inner);
                inner.flush();
                out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(bytes.size());
                out.writeRawBytes(bytes.toByteArray());
            } else {
                values.write(out);
            }
        });
    }

    private TensorData read(byte[] tensor) throws IOException {
        Path p = tmp.resolve("t.pb");
        Files.write(p, tensor);
        return OnnxReader.readTensor(p);
    }

    private static final float[] FLOATS = {1.5f, -0f, Float.MIN_VALUE, -3.25e30f, 7f, 0.1f};

    @Test
    void floatDataPackedOrNotReadsBackExactly() throws IOException {
        for (boolean packed : new boolean[] {true, false}) {
            TensorData t = read(tensor(OnnxReader.FLOAT, new long[] {2, 3}, FLOAT_DATA, packed, out -> {
                for (float f : FLOATS) {
                    if (packed) out.writeFloatNoTag(f);
                    else out.writeFloat(FLOAT_DATA, f);
                }
            }));
            assertThat(t.dims()).containsExactly(2, 3);
            assertThat(t.floats()).as("packed %s", packed).containsExactly(FLOATS);
        }
    }

    @Test
    void doubleDataIsRoundedToFloats() throws IOException {
        double[] values = {1.0 / 3, -2.5, 1e300};
        TensorData t = read(tensor(OnnxReader.DOUBLE, new long[] {3}, DOUBLE_DATA, true, out -> {
            for (double v : values) out.writeDoubleNoTag(v);
        }));
        assertThat(t.floats()).containsExactly((float) (1.0 / 3), -2.5f, Float.POSITIVE_INFINITY);
    }

    @Test
    void int64AndInt32DataKeepTheirValues() throws IOException {
        long[] longs = {-1, 1L << 40, Long.MIN_VALUE, 7};
        TensorData t64 = read(tensor(OnnxReader.INT64, new long[] {4}, INT64_DATA, true, out -> {
            for (long v : longs) out.writeInt64NoTag(v);
        }));
        assertThat(t64.longs()).containsExactly(longs);
        TensorData t32 = read(tensor(OnnxReader.INT32, new long[] {2}, INT32_DATA, false, out -> {
            out.writeInt32(INT32_DATA, -7);
            out.writeInt32(INT32_DATA, Integer.MAX_VALUE);
        }));
        assertThat(t32.longs()).containsExactly(-7, Integer.MAX_VALUE);
    }

    /** float16 values travel as their 16 bits in int32_data. */
    @Test
    void float16DataIsDecodedFromItsBits() throws IOException {
        TensorData t = read(tensor(OnnxReader.FLOAT16, new long[] {2}, INT32_DATA, true, out -> {
            out.writeInt32NoTag(0x3E00);
            out.writeInt32NoTag(0xC500);
        }));
        assertThat(t.floats()).containsExactly(1.5f, -5f);
    }

    /**
     * 48 MB of weights stored as packed float_data, imported by a JVM whose heap passes the
     * up-front check (twice the file) but cannot hold the values while they are read: a clear
     * error naming the file and the heap, not an OutOfMemoryError.
     */
    @Test
    void aModelThatOutgrowsTheHeapWhileReadingIsAClearError() throws Exception {
        int values = 12_000_000;
        byte[] weights = tensor(OnnxReader.FLOAT, new long[] {values}, FLOAT_DATA, true, out -> {
            for (int i = 0; i < values; i++) out.writeFloatNoTag(i);
        });
        byte[] graph = OnnxWriter.message(out -> out.writeByteArray(5, weights));
        Path model = tmp.resolve("packed.onnx");
        Files.write(model, OnnxWriter.message(out -> out.writeByteArray(7, graph)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx100m", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), "io.cnnc.runtime.cli.Main",
                "import", model.toString(), "-o", tmp.resolve("m.cnn").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("packed.onnx").contains("needs more than the Java heap").doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
    }
}
