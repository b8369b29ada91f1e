package io.cnnc.runtime.io;

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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * .npy against numpy: files in src/test/resources/io/npy were written by numpy
 * (src/test/fixtures/io/make_io_fixtures.py). All comparisons are exact: float32 data is copied
 * bit for bit and the other dtypes are compared with numpy's own float32 conversion.
 */
class NpyTest {

    private static final Path DIR = Path.of("src/test/resources/io/npy");

    @TempDir
    Path tmp;

    /** Bit patterns, so that -0.0 differs from 0.0 and NaN equals NaN. */
    static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Float.floatToIntBits(values[i]);
        return out;
    }

    /** A v1.0 file with the given header dict (padding and newline added) and data. */
    private Path npy(String dict, byte[] data) throws Exception {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length).put(header).put(data);
        Path p = tmp.resolve("a.npy");
        Files.write(p, b.array());
        return p;
    }

    private static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    }

    @Test
    void roundTripKeepsShapeAndEveryBit() throws Exception {
        float[] values = {1, -2, 3.5f, Float.NaN, -0f, Float.MIN_VALUE, Float.POSITIVE_INFINITY, Float.MAX_VALUE};
        Path p = tmp.resolve("r.npy");
        Npy.write(p, Tensor.of(values, 2, 1, 4));
        Tensor t = Npy.read(p);
        assertThat(t.shape()).containsExactly(2, 1, 4);
        assertThat(bits(t.data())).containsExactly(bits(values));
        assertThat((Files.size(p) - values.length * 4) % 64).as("data starts 64-byte aligned").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_2x3x4.npy", "f4_rank1.npy", "f4_scalar.npy", "f4_empty_0x3.npy", "f4_pad64_edge.npy"})
    void writesExactlyTheBytesNumpyWrites(String name) throws Exception {
        Path numpy = DIR.resolve(name);
        Tensor t = Npy.read(numpy);
        Path ours = tmp.resolve(name);
        Npy.write(ours, t);
        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(numpy));
    }

    @Test
    void readsNumpyFloat32Values() throws Exception {
        Tensor t = Npy.read(DIR.resolve("f4_2x3x4.npy"));
        assertThat(t.shape()).containsExactly(2, 3, 4);
        for (int i = 0; i < 24; i++) assertThat(t.data()[i]).isEqualTo(i * 0.5f - 3);
        Tensor scalar = Npy.read(DIR.resolve("f4_scalar.npy"));
        assertThat(scalar.rank()).isZero();
        assertThat(scalar.data()).containsExactly(7.5f);
        assertThat(Npy.read(DIR.resolve("f4_rank1.npy")).data()).containsExactly(1.5f, -2f, 3.25f, 0f, 0.125f);
        assertThat(Npy.read(DIR.resolve("f4_empty_0x3.npy")).shape()).containsExactly(0, 3);
        assertThat(Npy.read(DIR.resolve("f4_pad64_edge.npy")).shape()).containsExactly(3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 700);
    }

    @ParameterizedTest
    @ValueSource(strings = {"f8", "f2", "i4", "i8", "u1", "i1", "b1"})
    void convertsEveryDtypeAsNumpyAstypeFloat32Does(String dtype) throws Exception {
        Tensor t = Npy.read(DIR.resolve("dtype_" + dtype + ".npy"));
        Tensor expected = Npy.read(DIR.resolve("dtype_" + dtype + ".expected.npy"));
        assertThat(t.shape()).containsExactly(expected.shape());
        assertThat(bits(t.data())).containsExactly(bits(expected.data()));
    }

    @Test
    void dtypeConversionsSpotChecks() throws Exception {
        assertThat(Npy.read(DIR.resolve("dtype_u1.npy")).data()).containsExactly(0f, 7f, 128f, 255f);
        assertThat(Npy.read(DIR.resolve("dtype_i1.npy")).data()).containsExactly(-128f, -1f, 0f, 127f);
        assertThat(Npy.read(DIR.resolve("dtype_b1.npy")).data()).containsExactly(1f, 0f, 1f, 0f, 0f, 1f);
        float[] f8 = Npy.read(DIR.resolve("dtype_f8.npy")).data();
        assertThat(f8[2]).isEqualTo(Float.POSITIVE_INFINITY); // 1e300 overflows float32
        assertThat(f8[8]).isEqualTo(16777216f); // 16777217 rounds to nearest even
        assertThat(Npy.read(DIR.resolve("dtype_i8.npy")).data()[0]).isEqualTo(9.223372e18f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"version2.npy", "version3.npy"})
    void readsFormatVersions2And3(String name) throws Exception {
        Tensor t = Npy.read(DIR.resolve(name));
        assertThat(t.shape()).containsExactly(3, 4);
        for (int i = 0; i < 12; i++) assertThat(t.data()[i]).isEqualTo(i - 5.5f);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '"', value = {
        "reject_fortran.npy    => Fortran-order arrays are not supported; save a C-order array (np.ascontiguousarray)",
        "reject_bigendian.npy  => big-endian dtype '>f4' is not supported",
        "reject_object.npy     => object dtype '|O' (pickled Python objects) is not supported",
        "reject_structured.npy => structured dtype [('a', '<f4'), ('b', '<i4')] (record arrays) is not supported",
        "reject_complex.npy    => unsupported dtype '<c8' (cnnc reads float32, float64, float16, int32, int64, uint8, int8 and bool)",
    })
    void refusesNumpyFilesItCannotRepresent(String name, String problem) {
        Path p = DIR.resolve(name);
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class).hasMessageStartingWith(p + ": " + problem);
    }

    @Test
    void badMagic() throws Exception {
        Path p = tmp.resolve("n.npy");
        Files.writeString(p, "just some text, long enough");
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class).hasMessage(p + ": not a .npy file (bad magic bytes)");
        Files.write(p, new byte[0]);
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class).hasMessage(p + ": too short to be a .npy file (0 bytes)");
        Files.write(p, new byte[] {(byte) 0x93, 'N', 'U', 'M'});
        assertThatThrownBy(() -> Npy.read(p)).hasMessage(p + ": too short to be a .npy file (4 bytes)");
    }

    @Test
    void headerLongerThanTheFileFailsBeforeReadingIt() throws Exception {
        Path p = tmp.resolve("h.npy");
        // v1.0 claiming a 65535-byte header in a 20-byte file
        Files.write(p, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) 0xFF, (byte) 0xFF, '{', '}', 0, 0, 0, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class).hasMessage(p + ": header length 65535 exceeds the file size 20");
        // v2.0 claiming a 4 GiB header
        Files.write(p, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, '{', '}'});
        assertThatThrownBy(() -> Npy.read(p)).hasMessage(p + ": header length 4294967295 exceeds the file size 14");
    }

    @Test
    void dataShorterThanTheShapeSaysFailsBeforeAllocating() throws Exception {
        // 4e12 bytes announced: allocating first would be an OutOfMemoryError, not this message
        Path p = npy(dict("<f4", "(1000000000, 1000)"), new byte[4]);
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class).hasMessage(p
                + ": data is truncated: shape [1000000000, 1000] of <f4 needs 4000000000000 bytes after the header, the file has 4");
        // a numpy file cut short by one byte
        byte[] whole = Files.readAllBytes(DIR.resolve("f4_2x3x4.npy"));
        Path cut = tmp.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 1));
        assertThatThrownBy(() -> Npy.read(cut)).isInstanceOf(FormatException.class)
                .hasMessage(cut + ": data is truncated: shape [2, 3, 4] of <f4 needs 96 bytes after the header, the file has 95");
    }

    @Test
    void shapesTooLargeForAJavaArrayOrForLong() throws Exception {
        Path huge = npy(dict("|u1", "(2147483647, 2147483647, 2147483647)"), new byte[1]);
        assertThatThrownBy(() -> Npy.read(huge)).isInstanceOf(FormatException.class).hasMessageContaining("is too large");
        Path dim = npy(dict("<f4", "(2147483648,)"), new byte[4]);
        assertThatThrownBy(() -> Npy.read(dim)).isInstanceOf(FormatException.class)
                .hasMessage(dim + ": bad dimension 2147483648 in shape (2147483648,)");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '"', value = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }             => bad dimension -1 in shape (-1,)",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }            => header is not a valid Python literal: expected an integer",
        "{'descr': '<f4', 'fortran_order': False, }                             => header has no 'shape' entry",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}        => header has an unexpected key 'x'",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }                  => 'fortran_order' is not True or False",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [1], }               => 'shape' is not a tuple",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)                 => header is not a valid Python literal: expected ',' but found the end",
        "['descr', '<f4']                                                       => header is not a dict",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } trailing     => header is not a valid Python literal: unexpected 't' at character 59",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)} => header is not a valid Python literal: duplicate key 'descr'",
    })
    void malformedHeaders(String header, String problem) throws Exception {
        Path p = npy(header, new byte[4]);
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class).hasMessage(p + ": " + problem);
    }

    @Test
    void deeplyNestedHeaderIsRefusedWithoutOverflowingTheStack() throws Exception {
        // A 1 MB v2.0 header of '[': parsed recursively without a bound, this was a StackOverflowError.
        String header = ("{'descr': '<f4', 'fortran_order': False, 'shape': " + "[".repeat(500_000) + "}").indent(0);
        byte[] text = (header + " ".repeat(1_000_000 - header.length())).getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(12 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(text.length).put(text);
        Path p = tmp.resolve("deep.npy");
        Files.write(p, b.array());
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(p + ": header is not a valid Python literal: nested more than 64 levels deep at character");
    }

    @Test
    void overlongNumberInTheHeaderIsRefused() throws Exception {
        Path p = npy(dict("<f4", "(" + "9".repeat(60_000) + ",)"), new byte[4]);
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class)
                .hasMessageContaining("header is not a valid Python literal: a number of 60000 digits");
    }

    @Test
    void arrayLargerThanTheHeapIsRefusedBeforeAllocating() throws Exception {
        // 2^31 - 9 bytes of uint8 in a sparse file (nothing written to disk) become 8 GiB of float32.
        long count = Tensor.MAX_ELEMENTS;
        Assumptions.assumeTrue(HeapLimit.max() < count * 4, "the test JVM's heap would hold the array");
        byte[] header = (dict("|u1", "(" + count + ",)") + "\n").getBytes(StandardCharsets.ISO_8859_1);
        Path p = tmp.resolve("big.npy");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            ByteBuffer b = ByteBuffer.allocate(10 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length).put(header);
            f.write(b.array());
            f.setLength(10 + header.length + count);
        }
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(p + ": its array of shape [" + count + "] (as float32) needs 8.0 GiB of memory, more than the Java heap's");
    }

    @Test
    void acceptsHeadersWrittenByOtherWriters() throws Exception {
        // double quotes, other key order, no trailing comma, Python 2 long suffix
        Path p = npy("{\"shape\": (2L, 1), \"fortran_order\": False, \"descr\": \"<i4\"}", new byte[] {5, 0, 0, 0, -1, -1, -1, -1});
        Tensor t = Npy.read(p);
        assertThat(t.shape()).containsExactly(2, 1);
        assertThat(t.data()).containsExactly(5f, -1f);
    }

    @Test
    void unsupportedVersion() throws Exception {
        Path p = tmp.resolve("v.npy");
        Files.write(p, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 4, 0, 2, 0, '{', '}'});
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": unsupported .npy format version 4.0 (1.0, 2.0 and 3.0 are read)");
    }

    @Test
    void missingFileAndDirectory() {
        Path missing = tmp.resolve("missing.npy");
        assertThatThrownBy(() -> Npy.read(missing)).isInstanceOf(FormatException.class).hasMessage(missing + ": no such file");
        assertThatThrownBy(() -> Npy.read(tmp)).isInstanceOf(FormatException.class).hasMessage(tmp + ": is a directory, not a .npy file");
    }

    @Test
    void largeArraysCrossTheReadBuffer() throws Exception {
        // 300,001 float64 values: 2.4 MB, more than two 1 MiB read chunks, the last one partial
        int n = 300_001;
        ByteBuffer data = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) data.putDouble(i * 0.25);
        Tensor t = Npy.read(npy(dict("<f8", "(" + n + ",)"), data.array()));
        for (int i = 0; i < n; i++) {
            if (t.data()[i] != i * 0.25f) throw new AssertionError("element " + i + ": " + t.data()[i]);
        }
        Path p = tmp.resolve("big.npy");
        Npy.write(p, t);
        assertThat(Npy.read(p).data()).isEqualTo(t.data());
    }
}
