package io.cnnc.runtime.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.cnnc.runtime.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors weight format: an 8-byte little-endian header length, a JSON header of
 * {name: {dtype, shape, data_offsets}}, then the raw data. Every header fact is checked
 * against the file before any tensor is allocated; F32, F16, BF16 and F64 are read.
 */
public final class Safetensors {

    /** A header larger than this is refused (the reference implementation uses the same bound). */
    public static final long MAX_HEADER = 100L * 1024 * 1024;

    private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    private Safetensors() {}

    public static Map<String, Tensor> read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header header = header(ch, path);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : header.entries) {
                ByteBuffer b = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    if (ch.read(b, header.dataStart + e.begin + b.position()) < 0) throw new FormatException(path, "truncated data");
                }
                b.flip();
                out.put(e.name, Tensor.of(decode(e.dtype, b, (int) Tensor.product(e.shape)), e.shape));
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new FormatException(path, "no such file");
        }
    }

    public static Map<String, String> metadata(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return header(ch, path).metadata;
        } catch (NoSuchFileException e) {
            throw new FormatException(path, "no such file");
        }
    }

    /** Writes F32 tensors, names sorted, header padded with spaces to a multiple of 8; atomically. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            JsonObject o = new JsonObject();
            o.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : e.getValue().shape()) shape.add(d);
            o.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += e.getValue().size() * 4;
            offsets.add(offset);
            o.add("data_offsets", offsets);
            header.add(e.getKey(), o);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        AtomicFiles.write(path, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (Tensor t : sorted.values()) {
                ByteBuffer b = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.data());
                out.write(b.array());
            }
        });
    }

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private static Header header(FileChannel ch, Path path) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) throw new FormatException(path, "too short to be a safetensors file (" + fileSize + " bytes)");
        ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(lb, 0);
        long length = lb.getLong(0);
        if (length < 2 || length > MAX_HEADER || length > fileSize - 8) {
            throw new FormatException(path, "header length " + Long.toUnsignedString(length) + " is invalid for a file of "
                    + fileSize + " bytes");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) length);
        while (hb.hasRemaining()) {
            if (ch.read(hb, 8 + hb.position()) < 0) throw new FormatException(path, "truncated header");
        }
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) throw new FormatException(path, "header is not a JSON object");
            root = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new FormatException(path, "header is not valid JSON");
        }
        long dataStart = 8 + length;
        long dataSize = fileSize - dataStart;
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (!e.getValue().isJsonObject()) throw new FormatException(path, "__metadata__ must be an object");
                for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                    metadata.put(m.getKey(), m.getValue().isJsonPrimitive() ? m.getValue().getAsString() : m.getValue().toString());
                }
                continue;
            }
            entries.add(entry(e.getKey(), e.getValue(), dataSize, path));
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin != expected) {
                throw new FormatException(path, "tensor '" + e.name + "' starts at byte " + e.begin + " of the data, expected "
                        + expected + " (tensors overlap or leave holes)");
            }
            expected = e.end;
        }
        return new Header(entries, metadata, dataStart);
    }

    private static Entry entry(String name, JsonElement value, long dataSize, Path path) throws FormatException {
        try {
            JsonObject o = value.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            int size = switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                case "F64" -> 8;
                default -> throw new FormatException(path, "tensor '" + name + "' has dtype " + dtype
                        + "; cnnc reads F32, F16, BF16 and F64");
            };
            JsonArray s = o.getAsJsonArray("shape");
            int[] shape = new int[s.size()];
            for (int i = 0; i < shape.length; i++) {
                long d = s.get(i).getAsLong();
                if (d < 0 || d > Integer.MAX_VALUE) throw new FormatException(path, "tensor '" + name + "' has a bad dimension " + d);
                shape[i] = (int) d;
            }
            JsonArray off = o.getAsJsonArray("data_offsets");
            if (off == null || off.size() != 2) throw new FormatException(path, "tensor '" + name + "' needs data_offsets [begin, end]");
            long begin = off.get(0).getAsLong();
            long end = off.get(1).getAsLong();
            long bytes;
            try {
                bytes = Math.multiplyExact(Tensor.product(shape), size);
            } catch (ArithmeticException ex) {
                throw new FormatException(path, "tensor '" + name + "' is too large");
            }
            if (begin < 0 || end < begin || end > dataSize) {
                throw new FormatException(path, "tensor '" + name + "' has data_offsets [" + begin + ", " + end
                        + "] outside the data section of " + dataSize + " bytes (truncated file?)");
            }
            if (end - begin != bytes) {
                throw new FormatException(path, "tensor '" + name + "' is " + dtype + " " + java.util.Arrays.toString(shape)
                        + " = " + bytes + " bytes, but its data_offsets span " + (end - begin));
            }
            if (bytes / size > Integer.MAX_VALUE - 8) throw new FormatException(path, "tensor '" + name + "' is too large");
            return new Entry(name, dtype, shape, begin, end);
        } catch (IllegalStateException | NullPointerException | UnsupportedOperationException | NumberFormatException e) {
            throw new FormatException(path, "tensor '" + name + "' has a malformed header entry");
        }
    }

    private static float[] decode(String dtype, ByteBuffer b, int n) {
        float[] out = new float[n];
        switch (dtype) {
            case "F32" -> b.asFloatBuffer().get(out);
            case "F64" -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(); }
            case "F16" -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort()); }
            case "BF16" -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16); }
            default -> throw new IllegalStateException(dtype);
        }
        return out;
    }
}
