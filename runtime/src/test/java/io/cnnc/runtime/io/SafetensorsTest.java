package io.cnnc.runtime.io;

import static io.cnnc.runtime.io.NpyTest.bits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.runtime.Tensor;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * safetensors against an independent writer: the files in src/test/resources/io/safetensors were
 * written with struct + json by src/test/fixtures/io/make_io_fixtures.py, laid out as the
 * reference implementation lays out files. Comparisons are exact (bit patterns): F32 is copied
 * and F16/BF16/F64 are compared with numpy's and torch's float32 conversions of the same values.
 */
class SafetensorsTest {

    private static final Path DIR = Path.of("src/test/resources/io/safetensors");

    @TempDir
    Path tmp;

    /** A file laid out by hand: length, JSON header, data. */
    private Path raw(String json, byte[] data) throws Exception {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = tmp.resolve("w.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static long headerLength(Path p) throws Exception {
        return ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void roundTripKeepsNamesShapesBitsAndMetadata() throws Exception {
        Path p = tmp.resolve("m.safetensors");
        float[] w = {1, -2, Float.NaN, -0f, Float.MIN_VALUE, Float.NEGATIVE_INFINITY};
        Map<String, Tensor> tensors = new HashMap<>();
        tensors.put("b.weight", Tensor.of(w, 2, 3));
        tensors.put("a.bias", Tensor.of(new float[] {7}, 1));
        tensors.put("s", Tensor.of(new float[] {0.5f}));
        Safetensors.write(p, tensors, Map.of("format", "pt", "epoch", "3"));
        Map<String, Tensor> back = Safetensors.read(p);
        assertThat(back.keySet()).containsExactly("a.bias", "b.weight", "s");
        assertThat(back.get("b.weight").shape()).containsExactly(2, 3);
        assertThat(bits(back.get("b.weight").data())).containsExactly(bits(w));
        assertThat(back.get("s").rank()).isZero();
        assertThat(Safetensors.metadata(p)).containsExactly(Map.entry("epoch", "3"), Map.entry("format", "pt"));
        assertThat(headerLength(p) % 8).isZero();
        assertThat(Files.size(p)).isEqualTo(8 + headerLength(p) + 8 * 4);
    }

    @Test
    void emptyFileAndNoMetadata() throws Exception {
        Path p = tmp.resolve("e.safetensors");
        Safetensors.write(p, Map.of(), null);
        assertThat(Files.readAllBytes(p)).isEqualTo("\u0008\0\0\0\0\0\0\0{}      ".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(Safetensors.read(p)).isEmpty();
        assertThat(Safetensors.metadata(p)).isEmpty();
    }

    @Test
    void readsTheReferenceLayoutInHeaderOrder() throws Exception {
        Path p = DIR.resolve("f32_reference_layout.safetensors");
        Map<String, Tensor> t = Safetensors.read(p);
        // the reference's order: UTF-8 bytes, so "Z" < "c", "conv10" < "conv2", U+FB01 < U+1F600
        assertThat(t.keySet()).containsExactly("Z.upper", "caf\u00e9", "conv1.bias", "conv1.weight", "conv10.bias", "conv2.bias",
                "empty", "scalar", "\ufb01", "\ud83d\ude00");
        assertThat(t.get("conv1.weight").shape()).containsExactly(2, 1, 3, 3);
        assertThat(t.get("empty").shape()).containsExactly(0, 4);
        assertThat(t.get("scalar").shape()).isEmpty();
        assertThat(t.get("scalar").data()).containsExactly(-0.5f);
        assertThat(t.get("\ud83d\ude00").data()).containsExactly(3f);
        assertThat(Safetensors.metadata(p)).containsExactly(Map.entry("epoch", "3"), Map.entry("format", "pt"),
                Map.entry("note", "quote \" backslash \\ newline \n tab \t \u00fc"));
    }

    @Test
    void writesTheSameBytesAsTheReferenceLayout() throws Exception {
        Path python = DIR.resolve("f32_reference_layout.safetensors");
        // A HashMap: the writer must sort by itself, and by UTF-8 bytes (Java's String order would
        // put the emoji's surrogates before U+FB01).
        Map<String, Tensor> tensors = new HashMap<>(Safetensors.read(python));
        Path ours = tmp.resolve("ours.safetensors");
        Safetensors.write(ours, tensors, new HashMap<>(Safetensors.metadata(python)));
        assertThat(new String(Files.readAllBytes(ours), StandardCharsets.UTF_8))
                .isEqualTo(new String(Files.readAllBytes(python), StandardCharsets.UTF_8));
        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(python));
    }

    @Test
    void readsF16Bf16AndF64AsFloat32() throws Exception {
        Map<String, Tensor> t = Safetensors.read(DIR.resolve("mixed_dtypes.safetensors"));
        assertThat(t.keySet()).containsExactly("d.f64", "a.bf16.expected", "b.f16.expected", "c.f32", "d.f64.expected", "a.bf16", "b.f16");
        for (String name : List.of("a.bf16", "b.f16", "d.f64")) {
            Tensor expected = t.get(name + ".expected");
            assertThat(t.get(name).shape()).as(name).containsExactly(expected.shape());
            assertThat(bits(t.get(name).data())).as(name).containsExactly(bits(expected.data()));
        }
        assertThat(t.get("b.f16").data()[2]).isEqualTo(65504f);
        assertThat(t.get("b.f16").data()[3]).isEqualTo(0x1p-24f); // subnormal half
        assertThat(t.get("a.bf16").data()[0]).isEqualTo(1.5f);
        assertThat(t.get("d.f64").data()[2]).isEqualTo(Float.POSITIVE_INFINITY); // 1e300
        assertThat(t.get("c.f32").data()).containsExactly(1f, 2f, 3f);
    }

    @Test
    void otherDtypesAreRefusedWithTheTensorsName() {
        Path p = DIR.resolve("reject_i64.safetensors");
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": tensor 'steps' has dtype I64, which cnnc does not read (it reads F32, F16, BF16 and F64)");
    }

    @Test
    void hugeHeaderLengthFailsFastWithoutAllocating() throws Exception {
        // 2^60: allocating it first would be an OutOfMemoryError (or a negative size), not this message
        Path p = tmp.resolve("huge.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60).array());
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": header length 1152921504606846976 exceeds file size 16");
        // above 2^63 (negative as a Java long): still reported unsigned
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessage(p + ": header length 18446744073709551615 exceeds file size 16");
    }

    @Test
    void headerLengthAbove100MiBIsRefusedEvenIfTheFileIsLarger() throws Exception {
        Path p = tmp.resolve("big.safetensors");
        long length = Safetensors.MAX_HEADER + 8;
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
            f.setLength(8 + length + 16); // sparse: takes no disk space
        }
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": header length 104857608 is more than the 104857600 bytes (100 MiB) accepted");
    }

    @Test
    void tensorsLargerThanTheHeapAreRefusedBeforeAllocating() throws Exception {
        // Two F16 tensors of 2^30 values in a sparse 4 GiB file become 8 GiB of float32 together.
        long n = 1L << 30;
        Assumptions.assumeTrue(HeapLimit.max() < 2 * n * 4, "the test JVM's heap would hold the tensors");
        byte[] h = ("{" + entry("a", "F16", "[" + n + "]", 0, 2 * n) + "," + entry("b", "F16", "[" + n + "]", 2 * n, 4 * n) + "}")
                .getBytes(StandardCharsets.UTF_8);
        Path p = tmp.resolve("huge.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array());
            f.setLength(8 + h.length + 4 * n);
        }
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(p + ": reading its 2147483648 values (as float32) needs 8.0 GiB of memory, more than the Java heap's");
    }

    @Test
    void truncatedFilesAreRejected() throws Exception {
        byte[] whole = Files.readAllBytes(DIR.resolve("f32_reference_layout.safetensors"));
        Path p = tmp.resolve("cut.safetensors");
        Files.write(p, Arrays.copyOf(whole, whole.length - 4));
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class).hasMessage(p
                + ": tensor '\ud83d\ude00' needs bytes [116, 120) of the data section, but the file has only 116 data bytes (truncated?)");
        Files.write(p, Arrays.copyOf(whole, 100));
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": header length 728 exceeds file size 100");
        Files.write(p, new byte[3]);
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": too short to be a safetensors file (3 bytes; the header length alone takes 8)");
    }

    static Stream<Arguments> malformed() {
        byte[] f3 = floats(1, 2, 3);
        return Stream.of(
                Arguments.of("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", f3,
                        "tensors 'a' [0, 8) and 'b' [4, 12) overlap"),
                Arguments.of("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", f3,
                        "bytes [4, 8) of the data section belong to no tensor"),
                Arguments.of("{" + entry("a", "F32", "[2]", 0, 8) + "}", f3,
                        "the data section has 4 bytes after the last tensor (which ends at 8)"),
                Arguments.of("{" + entry("w", "F32", "[3]", 0, 8) + "}", floats(1, 2),
                        "tensor 'w' is F32 [3] = 12 bytes, but its data_offsets [0, 8] span 8"),
                Arguments.of("{" + entry("w", "F16", "[2, 3]", 0, 8) + "}", floats(1, 2),
                        "tensor 'w' is F16 [2, 3] = 12 bytes, but its data_offsets [0, 8] span 8"),
                Arguments.of("{" + entry("w", "F32", "[4]", 0, 16) + "}", floats(1, 2),
                        "tensor 'w' needs bytes [0, 16) of the data section, but the file has only 8 data bytes (truncated?)"),
                Arguments.of("{" + entry("w", "F32", "[2147483647, 2147483647, 2147483647]", 0, 8) + "}", floats(1, 2),
                        "tensor 'w' with shape [2147483647, 2147483647, 2147483647] is too large"),
                Arguments.of("{" + entry("w", "F32", "[2147483648]", 0, 8) + "}", floats(1, 2),
                        "tensor 'w' has dimension 2147483648, too large"),
                Arguments.of("{" + entry("w", "F32", "[2]", 8, 0) + "}", floats(1, 2),
                        "tensor 'w': data_offsets [8, 0] end before they begin"),
                Arguments.of("{" + entry("w", "F32", "[2]", -8, 0) + "}", floats(1, 2), "tensor 'w': data_offsets has negative -8"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", floats(1, 2),
                        "tensor 'w': data_offsets must be [begin, end], not [0]"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", floats(1, 2),
                        "tensor 'w': shape has 2.0, not an integer"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", floats(1, 2),
                        "tensor 'w': shape is not an array of integers"),
                Arguments.of("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1, 2), "tensor 'w' has no dtype"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", floats(1, 2), "tensor 'w' has no shape"),
                Arguments.of("{\"w\":[1,2]}", floats(1, 2), "tensor 'w' is not a JSON object"),
                Arguments.of("{" + entry("w", "F32", "[2]", 0, 8) + "," + entry("w", "F32", "[2]", 0, 8) + "}", floats(1, 2),
                        "header names 'w' twice"),
                Arguments.of("{\"__metadata__\":{\"epoch\":3}}", new byte[0], "__metadata__ value of 'epoch' is not a string"),
                Arguments.of("{\"__metadata__\":[]}", new byte[0], "__metadata__ is not a JSON object"),
                Arguments.of("{not json", new byte[0], "header is not valid JSON (malformed at line 1 column 3)"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\"", new byte[0], "header is not valid JSON (it ends too early)"),
                Arguments.of("{\"w\" 1}", new byte[0], "header is not valid JSON (Expected ':' at line 1 column 7)"),
                Arguments.of("{\"w\":", new byte[0], "header is not valid JSON (it ends too early)"),
                Arguments.of("{'w':{}}", new byte[0], "header is not valid JSON (malformed at line 1 column 3)"),
                Arguments.of("{} {}", new byte[0], "header has more after its JSON object"),
                Arguments.of("[]", new byte[0], "header is not a JSON object"),
                Arguments.of("", new byte[0], "header is not valid JSON (it ends too early)"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedHeadersGiveAClearFormatException(String json, byte[] data, String problem) throws Exception {
        Path p = raw(json, data);
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class).hasMessage(p + ": " + problem);
        assertThatThrownBy(() -> Safetensors.metadata(p)).isInstanceOf(FormatException.class).hasMessage(p + ": " + problem);
    }

    @Test
    void headerThatIsNotUtf8() throws Exception {
        Path p = tmp.resolve("u.safetensors");
        Files.write(p, new byte[] {4, 0, 0, 0, 0, 0, 0, 0, '{', (byte) 0xFF, '}', ' '});
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class).hasMessage(p + ": header is not valid UTF-8");
    }

    @Test
    void zeroSizedTensorsAndUnknownEntryKeysAreFine() throws Exception {
        Path p = raw("{" + entry("e", "F32", "[0, 3]", 0, 0) + "," + entry("w", "BF16", "[2]", 0, 4)
                + ",\"x\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[4,12],\"extra\":{\"a\":[1]}}}",
                new byte[] {(byte) 0x80, 0x3F, 0x00, (byte) 0xC0, 0, 0, 0, 0, 0, 0, (byte) 0xF0, 0x3F});
        Map<String, Tensor> t = Safetensors.read(p);
        assertThat(t.get("e").shape()).containsExactly(0, 3);
        assertThat(t.get("w").data()).containsExactly(1f, -2f);
        assertThat(t.get("x").data()).containsExactly(1f);
    }

    @Test
    void writerRefusesTheMetadataKeyAsATensorName() {
        assertThatThrownBy(() -> Safetensors.write(tmp.resolve("x.safetensors"), Map.of("__metadata__", Tensor.zeros(1)), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void largeTensorsCrossTheBuffers() throws Exception {
        float[] v = new float[600_001]; // 2.4 MB: more than two 1 MiB chunks, the last one partial
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f;
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("big", Tensor.of(v, v.length));
        m.put("small", Tensor.of(new float[] {1}, 1));
        Path p = tmp.resolve("big.safetensors");
        Safetensors.write(p, m, Map.of());
        Map<String, Tensor> back = Safetensors.read(p);
        assertThat(back.get("big").data()).isEqualTo(v);
        assertThat(back.get("small").data()).containsExactly(1f);
    }

    @Test
    void missingFile() {
        Path p = tmp.resolve("none.safetensors");
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class).hasMessage(p + ": no such file");
    }
}
