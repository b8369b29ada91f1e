package io.cnnc.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

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

    @Test
    void roundTripKeepsNamesShapesAndValuesAndMetadata() throws Exception {
        Path p = tmp.resolve("m.safetensors");
        Safetensors.write(p, Map.of("b.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), "a.bias", Tensor.of(new float[] {7}, 1)),
                Map.of("format", "pt"));
        Map<String, Tensor> back = Safetensors.read(p);
        assertThat(back.keySet()).containsExactly("a.bias", "b.weight");
        assertThat(back.get("b.weight").shape()).containsExactly(2, 3);
        assertThat(back.get("b.weight").data()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(Safetensors.metadata(p)).containsEntry("format", "pt");
        assertThat((Files.size(p) - 8 - 28) % 4).isZero();
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
    }

    @Test
    void readsHalfAndBfloat16() throws Exception {
        // 1.5 in F16 is 0x3E00; 1.5 in BF16 is 0x3FC0 (the top half of float 1.5 = 0x3FC00000).
        byte[] data = {0x00, 0x3E, (byte) 0xC0, 0x3F};
        Path p = raw("{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]}}", data);
        Map<String, Tensor> t = Safetensors.read(p);
        assertThat(t.get("h").data()).containsExactly(1.5f);
        assertThat(t.get("b").data()).containsExactly(1.5f);
    }

    @Test
    void hugeHeaderLengthFailsFastWithoutAllocating() throws Exception {
        Path p = tmp.resolve("huge.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60).array());
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class)
                .hasMessageContaining("huge.safetensors: header length 1152921504606846976 is invalid for a file of 16 bytes");
    }

    @Test
    void truncatedDataIsRejected() throws Exception {
        Path p = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", floats(1, 2));
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(FormatException.class).hasMessageContaining("outside the data section");
    }

    @Test
    void shapeAndOffsetsMustAgree() throws Exception {
        Path p = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", floats(1, 2));
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("but its data_offsets span 8");
    }

    @Test
    void overlappingTensorsAreRejected() throws Exception {
        Path p = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", floats(1, 2, 3));
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("overlap");
    }

    @Test
    void badJsonAndTinyFilesAreRejected() throws Exception {
        assertThatThrownBy(() -> Safetensors.read(raw("{not json", new byte[0]))).hasMessageContaining("not valid JSON");
        Path tiny = tmp.resolve("t.safetensors");
        Files.write(tiny, new byte[3]);
        assertThatThrownBy(() -> Safetensors.read(tiny)).hasMessageContaining("too short");
        assertThatThrownBy(() -> Safetensors.read(raw("{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8])))
                .hasMessageContaining("dtype I64");
    }

    @Test
    void failedWriteLeavesTheOldFile() throws Exception {
        Path p = tmp.resolve("keep.safetensors");
        Safetensors.write(p, Map.of("w", Tensor.of(new float[] {1}, 1)), Map.of());
        byte[] before = Files.readAllBytes(p);
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
            out.write(new byte[100]);
            throw new java.io.IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("keep.safetensors");
        }
    }

    @Test
    void readsTheFileWrittenByTheIndependentPythonWriter() throws Exception {
        Map<String, Tensor> t = Safetensors.read(Path.of("src/test/resources/e2e/lenet5/weights.safetensors"));
        assertThat(t).containsKeys("conv1.weight", "conv1.bias", "dense3.weight");
        assertThat(t.get("conv1.weight").shape()).containsExactly(6, 1, 5, 5);
    }
}
