package io.cnnc.runtime.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.cnnc.runtime.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The safetensors weight format: an unsigned 64-bit little-endian header length N, N bytes of
 * UTF-8 JSON {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}},
 * then the data section, which the tensors must cover exactly, without overlaps or holes.
 *
 * <p>Reading converts F32, F16, BF16 and F64 to float32 (F64 rounds to nearest) and refuses
 * other dtypes, naming the tensor. The header is validated as the reference implementation
 * (huggingface/safetensors) does before any tensor is allocated: the header length must fit in
 * the file and in 100 MiB, the JSON must parse strictly, and every entry's shape, dtype size and
 * offsets must agree with each other and with the file's size. Tensors are returned in the order
 * of the header.
 *
 * <p>Writing produces F32 with the tensors ordered by name (by UTF-8 bytes, as the reference
 * does for tensors of one dtype), compact JSON with each entry's keys in the reference order,
 * the metadata (if any) first with its keys sorted, the header padded with spaces to a multiple
 * of 8 bytes. The file is replaced atomically.
 */
public final class Safetensors {

    /** Headers longer than this (100 MiB) are refused before anything is read. */
    public static final long MAX_HEADER = 100L * 1024 * 1024;

    static final String METADATA = "__metadata__";

    /** Code point order, which is the UTF-8 byte order of the reference's Rust strings. */
    static final Comparator<String> UTF8_ORDER = Safetensors::compareCodePoints;

    private record Entry(String name, String dtype, Binary.Element type, int[] shape, long begin, long end) {}

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private Safetensors() {}

    /** All tensors as float32, in the order of the file's header. */
    public static Map<String, Tensor> read(Path path) throws IOException {
        return open(path, (ch, header) -> {
            long floats = 0;
            for (Entry e : header.entries) floats += (e.end - e.begin) / e.type.size;
            HeapLimit.check(path, floats * Float.BYTES, "reading its " + floats + " values (as float32)");
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : header.entries) {
                int count = (int) ((e.end - e.begin) / e.type.size);
                out.put(e.name, Tensor.of(Binary.readFloats(ch, header.dataStart + e.begin, count, e.type, path), e.shape));
            }
            return out;
        });
    }

    /** The {@code __metadata__} string map (empty if absent), after validating the whole header. */
    public static Map<String, String> metadata(Path path) throws IOException {
        return open(path, (ch, header) -> header.metadata);
    }

    /**
     * Writes the tensors as F32 and the metadata (may be null or empty: then no {@code __metadata__}
     * is written), atomically.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> sorted = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, Tensor> e : sorted) {
            Objects.requireNonNull(e.getKey(), "tensor name");
            Objects.requireNonNull(e.getValue(), () -> "tensor " + e.getKey());
            if (e.getKey().equals(METADATA)) throw new IllegalArgumentException(METADATA + " cannot name a tensor");
        }
        sorted.sort(Map.Entry.comparingByKey(UTF8_ORDER));
        StringWriter json = new StringWriter();
        JsonWriter w = new JsonWriter(json);
        w.setHtmlSafe(false);
        w.beginObject();
        if (metadata != null && !metadata.isEmpty()) {
            List<String> keys = new ArrayList<>(metadata.keySet());
            keys.sort(UTF8_ORDER);
            w.name(METADATA).beginObject();
            for (String k : keys) {
                w.name(Objects.requireNonNull(k, "metadata key")).value(Objects.requireNonNull(metadata.get(k), () -> "metadata " + k));
            }
            w.endObject();
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted) {
            w.name(e.getKey()).beginObject();
            w.name("dtype").value("F32");
            w.name("shape").beginArray();
            for (int d : e.getValue().shape()) w.value(d);
            w.endArray();
            long end = offset + e.getValue().size() * 4;
            w.name("data_offsets").beginArray().value(offset).value(end).endArray();
            w.endObject();
            offset = end;
        }
        w.endObject();
        w.close();
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int length = (text.length + 7) / 8 * 8;
        if (length > MAX_HEADER) throw new IOException(path + ": header of " + length + " bytes is more than " + MAX_HEADER);
        byte[] header = Arrays.copyOf(text, length);
        Arrays.fill(header, text.length, length, (byte) ' ');
        byte[] prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array();
        AtomicFiles.write(path, out -> {
            out.write(prefix);
            out.write(header);
            for (Map.Entry<String, Tensor> e : sorted) Binary.writeFloats(out, e.getValue().data());
        });
    }

    private interface Action<T> {
        T apply(FileChannel ch, Header header) throws IOException;
    }

    private static <T> T open(Path path, Action<T> action) throws IOException {
        if (Files.isDirectory(path)) throw new FormatException(path, "is a directory, not a safetensors file");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return action.apply(ch, header(ch, path));
        } catch (NoSuchFileException e) {
            throw new FormatException(path, "no such file");
        } catch (AccessDeniedException e) {
            throw new FormatException(path, "permission denied");
        }
    }

    private static Header header(FileChannel ch, Path path) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new FormatException(path, "too short to be a safetensors file (" + fileSize + " bytes; the header length alone takes 8)");
        }
        ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        Binary.readFully(ch, lb, 0, path);
        long length = lb.getLong(0); // unsigned: a "negative" value is above 2^63
        if (length < 0 || length > fileSize - 8) {
            throw new FormatException(path, "header length " + Long.toUnsignedString(length) + " exceeds file size " + fileSize);
        }
        if (length > MAX_HEADER) {
            throw new FormatException(path, "header length " + length + " is more than the " + MAX_HEADER + " bytes (100 MiB) accepted");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) length);
        Binary.readFully(ch, hb, 8, path);
        hb.flip();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(path, "header is not valid UTF-8");
        }
        long dataSize = fileSize - 8 - length;
        Header header = parse(text, dataSize, path);
        checkLayout(header.entries, dataSize, path);
        return new Header(header.entries, header.metadata, 8 + length);
    }

    private static Header parse(String text, long dataSize, Path path) throws FormatException {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonReader r = new JsonReader(new StringReader(text));
        r.setStrictness(Strictness.STRICT);
        try {
            if (r.peek() != JsonToken.BEGIN_OBJECT) throw new FormatException(path, "header is not a JSON object");
            r.beginObject();
            Set<String> seen = new HashSet<>();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!seen.add(name)) throw new FormatException(path, "header names '" + name + "' twice");
                if (name.equals(METADATA)) {
                    readMetadata(r, metadata, path);
                } else {
                    entries.add(readEntry(r, name, dataSize, path));
                }
            }
            r.endObject();
            boolean more;
            try {
                more = r.peek() != JsonToken.END_DOCUMENT;
            } catch (IOException e) { // strict mode refuses a second value outright
                more = true;
            }
            if (more) throw new FormatException(path, "header has more after its JSON object");
        } catch (FormatException e) {
            throw e;
        } catch (IOException | IllegalStateException e) { // MalformedJsonException, EOFException, wrong token
            throw new FormatException(path, "header is not valid JSON (" + jsonProblem(e) + ")");
        }
        return new Header(entries, metadata, 0);
    }

    private static void readMetadata(JsonReader r, Map<String, String> metadata, Path path) throws IOException {
        if (r.peek() == JsonToken.NULL) {
            r.nextNull();
            return;
        }
        if (r.peek() != JsonToken.BEGIN_OBJECT) throw new FormatException(path, METADATA + " is not a JSON object");
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            if (r.peek() != JsonToken.STRING) throw new FormatException(path, METADATA + " value of '" + key + "' is not a string");
            if (metadata.put(key, r.nextString()) != null) throw new FormatException(path, METADATA + " names '" + key + "' twice");
        }
        r.endObject();
    }

    private static Entry readEntry(JsonReader r, String name, long dataSize, Path path) throws IOException {
        String what = "tensor '" + name + "'";
        if (r.peek() != JsonToken.BEGIN_OBJECT) throw new FormatException(path, what + " is not a JSON object");
        r.beginObject();
        String dtype = null;
        List<BigInteger> shape = null;
        List<BigInteger> offsets = null;
        Set<String> keys = new HashSet<>();
        while (r.hasNext()) {
            String key = r.nextName();
            if (!keys.add(key)) throw new FormatException(path, what + " has '" + key + "' twice");
            switch (key) {
                case "dtype" -> {
                    if (r.peek() != JsonToken.STRING) throw new FormatException(path, what + ": dtype is not a string");
                    dtype = r.nextString();
                }
                case "shape" -> shape = integers(r, path, what + ": shape");
                case "data_offsets" -> offsets = integers(r, path, what + ": data_offsets");
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (dtype == null) throw new FormatException(path, what + " has no dtype");
        if (shape == null) throw new FormatException(path, what + " has no shape");
        if (offsets == null) throw new FormatException(path, what + " has no data_offsets");
        Binary.Element type = switch (dtype) {
            case "F32" -> Binary.Element.F32;
            case "F16" -> Binary.Element.F16;
            case "BF16" -> Binary.Element.BF16;
            case "F64" -> Binary.Element.F64;
            default -> throw new FormatException(path, what + " has dtype " + dtype + ", which cnnc does not read (it reads F32, F16, BF16 and F64)");
        };
        int[] dims = new int[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            if (shape.get(i).bitLength() > 31) throw new FormatException(path, what + " has dimension " + shape.get(i) + ", too large");
            dims[i] = shape.get(i).intValue();
        }
        if (offsets.size() != 2) throw new FormatException(path, what + ": data_offsets must be [begin, end], not " + offsets);
        if (offsets.get(0).bitLength() > 63 || offsets.get(1).bitLength() > 63) {
            throw new FormatException(path, what + ": data_offsets " + offsets + " are beyond any file");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (end < begin) throw new FormatException(path, what + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.product(dims), type.size);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new FormatException(path, what + " with shape " + Arrays.toString(dims) + " is too large");
        }
        if (end - begin != bytes) {
            throw new FormatException(path, what + " is " + dtype + " " + Arrays.toString(dims) + " = " + bytes
                    + " bytes, but its data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (end > dataSize) {
            throw new FormatException(path, what + " needs bytes [" + begin + ", " + end + ") of the data section, but the file has only "
                    + dataSize + " data bytes (truncated?)");
        }
        if (bytes / type.size > Tensor.MAX_ELEMENTS) {
            throw new FormatException(path, what + " has " + bytes / type.size + " elements, more than a Java array holds");
        }
        return new Entry(name, dtype, type, dims, begin, end);
    }

    /** A JSON array of non-negative integers (no fractions, no exponents), kept exact. */
    private static List<BigInteger> integers(JsonReader r, Path path, String what) throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) throw new FormatException(path, what + " is not an array of integers");
        List<BigInteger> out = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) throw new FormatException(path, what + " is not an array of integers");
            String literal = r.nextString();
            BigInteger v;
            try {
                v = new BigInteger(literal);
            } catch (NumberFormatException e) {
                throw new FormatException(path, what + " has " + literal + ", not an integer");
            }
            if (v.signum() < 0) throw new FormatException(path, what + " has negative " + literal);
            out.add(v);
        }
        r.endArray();
        return out;
    }

    /** The tensors must tile the data section: sorted by offset, each begins where the previous ended, the last ends at the end. */
    private static void checkLayout(List<Entry> entries, long dataSize, Path path) throws FormatException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin < expected) {
                throw new FormatException(path, "tensors '" + previous.name + "' [" + previous.begin + ", " + previous.end + ") and '"
                        + e.name + "' [" + e.begin + ", " + e.end + ") overlap");
            }
            if (e.begin > expected) {
                throw new FormatException(path, "bytes [" + expected + ", " + e.begin + ") of the data section belong to no tensor");
            }
            expected = e.end;
            previous = e;
        }
        if (expected != dataSize) {
            throw new FormatException(path, "the data section has " + (dataSize - expected) + " bytes after the last tensor (which ends at "
                    + expected + ")");
        }
    }

    /** Gson's message without its advice to programmers ("Use JsonReader.setStrictness...", "See https://...", the JSON path). */
    private static String jsonProblem(Exception e) {
        if (e instanceof EOFException) return "it ends too early";
        String m = String.valueOf(e.getMessage());
        int see = m.indexOf("See https://");
        if (see >= 0) m = m.substring(0, see);
        m = m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed");
        m = m.replaceAll(" path \\S*", "");
        return m.strip();
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
