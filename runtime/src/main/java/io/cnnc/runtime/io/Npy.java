package io.cnnc.runtime.io;

import io.cnnc.runtime.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * NumPy's {@code .npy} format, versions 1.0, 2.0 and 3.0.
 *
 * <p>Reading accepts C-order arrays of little-endian {@code <f4 <f8 <f2 <i4 <i8} and the one-byte
 * {@code |u1 |i1 |b1}, converted to float32 (float64 and int64 round to nearest, booleans become
 * 0 and 1). Big-endian data, Fortran order, object (pickled) and structured dtypes are refused.
 * Every size in the header is checked against the file before the array is allocated.
 *
 * <p>Writing produces float32 ({@code '<f4'}), version 1.0 (2.0 only if the header would not fit),
 * with the header padded exactly as {@code numpy.save} pads it (data 64-byte aligned, room to grow
 * the first axis), so a file written here is byte-for-byte what numpy writes for the same array.
 * The file is replaced atomically.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Headers longer than this are refused (numpy's own default limit is 10,000 bytes). */
    static final int MAX_HEADER = 1 << 20;
    private static final int ALIGN = 64;
    /** numpy pads the header so the first axis can grow to this many digits in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private Npy() {}

    public static Tensor read(Path path) throws IOException {
        if (Files.isDirectory(path)) throw new FormatException(path, "is a directory, not a .npy file");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            while (pre.hasRemaining() && ch.read(pre, pre.position()) > 0) {
                // fill the prefix, or as much as the file has
            }
            int have = pre.position();
            for (int i = 0; i < Math.min(have, MAGIC.length); i++) {
                if (pre.get(i) != MAGIC[i]) throw new FormatException(path, "not a .npy file (bad magic bytes)");
            }
            if (have < 10) throw new FormatException(path, "too short to be a .npy file (" + fileSize + " bytes)");
            int major = Byte.toUnsignedInt(pre.get(6));
            int minor = Byte.toUnsignedInt(pre.get(7));
            if (major < 1 || major > 3 || minor != 0) {
                throw new FormatException(path, "unsupported .npy format version " + major + "." + minor + " (1.0, 2.0 and 3.0 are read)");
            }
            long headerLength;
            int headerStart;
            if (major == 1) {
                headerLength = Short.toUnsignedInt(pre.getShort(8));
                headerStart = 10;
            } else {
                if (have < 12) throw new FormatException(path, "too short to be a .npy file (" + fileSize + " bytes)");
                headerLength = Integer.toUnsignedLong(pre.getInt(8));
                headerStart = 12;
            }
            if (headerStart + headerLength > fileSize) {
                throw new FormatException(path, "header length " + headerLength + " exceeds the file size " + fileSize);
            }
            if (headerLength > MAX_HEADER) {
                throw new FormatException(path, "header length " + headerLength + " is more than the " + MAX_HEADER + " bytes accepted");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
            Binary.readFully(ch, hb, headerStart, path);
            String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header header = Header.parse(text, path);
            long dataStart = headerStart + headerLength;
            long count;
            long needed;
            try {
                count = Tensor.product(header.shape);
                needed = Math.multiplyExact(count, header.type.size);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new FormatException(path, "shape " + Arrays.toString(header.shape) + " is too large");
            }
            if (needed > fileSize - dataStart) {
                throw new FormatException(path, "data is truncated: shape " + Arrays.toString(header.shape) + " of " + header.descr
                        + " needs " + needed + " bytes after the header, the file has " + (fileSize - dataStart));
            }
            if (count > Tensor.MAX_ELEMENTS) {
                throw new FormatException(path, "array of " + count + " elements is more than a Java array holds");
            }
            HeapLimit.check(path, count * Float.BYTES, "its array of shape " + Arrays.toString(header.shape) + " (as float32)");
            return Tensor.of(Binary.readFloats(ch, dataStart, (int) count, header.type, path), header.shape);
        } catch (NoSuchFileException e) {
            throw new FormatException(path, "no such file");
        } catch (AccessDeniedException e) {
            throw new FormatException(path, "permission denied");
        }
    }

    public static void write(Path path, Tensor tensor) throws IOException {
        byte[] prefix = header(tensor.shape());
        AtomicFiles.write(path, out -> {
            out.write(prefix);
            Binary.writeFloats(out, tensor.data());
        });
    }

    /** Magic, version, length and the padded header dict, as numpy's {@code _write_array_header}. */
    static byte[] header(int[] shape) {
        String dims = Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String tuple = "(" + dims + (shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
        if (shape.length > 0) dict += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        int lengthBytes = 2;
        int major = 1;
        if (MAGIC.length + 2 + 2 + dict.length() + 1 + ALIGN > 0xFFFF) {
            major = 2;
            lengthBytes = 4;
        }
        int prefix = MAGIC.length + 2 + lengthBytes;
        int hlen = dict.length() + 1;
        int pad = ALIGN - (prefix + hlen) % ALIGN; // numpy pads a full 64 when already aligned
        int total = hlen + pad;
        ByteBuffer b = ByteBuffer.allocate(prefix + total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (lengthBytes == 2) b.putShort((short) total);
        else b.putInt(total);
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < pad; i++) b.put((byte) ' ');
        b.put((byte) '\n');
        return b.array();
    }

    /** The header dict: {'descr': ..., 'fortran_order': ..., 'shape': (...)}. */
    private record Header(String descr, Binary.Element type, int[] shape) {

        private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

        static Header parse(String text, Path path) throws FormatException {
            Object value;
            try {
                value = new PyLiteral(text.strip()).parseAll();
            } catch (IllegalArgumentException e) {
                throw new FormatException(path, "header is not a valid Python literal: " + e.getMessage());
            }
            if (!(value instanceof Map<?, ?> dict)) throw new FormatException(path, "header is not a dict");
            for (Object key : dict.keySet()) {
                if (!KEYS.contains(key)) throw new FormatException(path, "header has an unexpected key " + PyLiteral.repr(key));
            }
            for (String key : KEYS) {
                if (!dict.containsKey(key)) throw new FormatException(path, "header has no '" + key + "' entry");
            }
            Object descr = dict.get("descr");
            if (descr instanceof List<?>) {
                throw new FormatException(path, "structured dtype " + PyLiteral.repr(descr) + " (record arrays) is not supported");
            }
            if (!(descr instanceof String d)) throw new FormatException(path, "'descr' is not a string");
            Binary.Element type = element(d, path);
            if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
                throw new FormatException(path, "'fortran_order' is not True or False");
            }
            if (fortran) {
                throw new FormatException(path, "Fortran-order arrays are not supported; save a C-order array (np.ascontiguousarray)");
            }
            if (!(dict.get("shape") instanceof PyLiteral.Tuple(List<Object> items))) {
                throw new FormatException(path, "'shape' is not a tuple");
            }
            int[] shape = new int[items.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!(items.get(i) instanceof BigInteger dim) || dim.signum() < 0 || dim.bitLength() > 31) {
                    throw new FormatException(path, "bad dimension " + PyLiteral.repr(items.get(i)) + " in shape "
                            + PyLiteral.repr(dict.get("shape")));
                }
                shape[i] = dim.intValue();
            }
            return new Header(d, type, shape);
        }

        private static Binary.Element element(String descr, Path path) throws FormatException {
            return switch (descr) {
                case "<f4" -> Binary.Element.F32;
                case "<f8" -> Binary.Element.F64;
                case "<f2" -> Binary.Element.F16;
                case "<i4" -> Binary.Element.I32;
                case "<i8" -> Binary.Element.I64;
                case "|u1", "<u1" -> Binary.Element.U8;
                case "|i1", "<i1" -> Binary.Element.I8;
                case "|b1", "<b1" -> Binary.Element.BOOL;
                default -> throw new FormatException(path, unsupported(descr)
                        + " (cnnc reads float32, float64, float16, int32, int64, uint8, int8 and bool)");
            };
        }

        private static String unsupported(String descr) {
            if (descr.startsWith(">")) {
                return "big-endian dtype '" + descr + "' is not supported; save with arr.astype(arr.dtype.newbyteorder('<'))";
            }
            if (descr.endsWith("O")) return "object dtype '" + descr + "' (pickled Python objects) is not supported";
            return "unsupported dtype '" + descr + "'";
        }
    }

    /** The subset of Python literals numpy writes in a header: dicts, tuples, lists, strings, ints, True/False/None. */
    static final class PyLiteral {

        record Tuple(List<Object> items) {}

        /** Python's None. */
        static final Object NONE = new Object() {
            @Override
            public String toString() {
                return "None";
            }
        };

        /** numpy's headers nest two levels (structured dtypes a few more); deeper is refused before it can overflow the stack. */
        static final int MAX_DEPTH = 64;
        /** More digits than any dimension has; a longer run would only make BigInteger slow. */
        private static final int MAX_DIGITS = 100;

        private final String s;
        private int i;
        private int depth;

        PyLiteral(String s) {
            this.s = s;
        }

        Object parseAll() {
            Object v = value();
            skipSpace();
            if (i != s.length()) throw error("unexpected " + describe());
            return v;
        }

        private Object value() {
            skipSpace();
            if (i >= s.length()) throw error("unexpected end");
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    enter();
                    Map<Object, Object> map = new LinkedHashMap<>();
                    while (!closing('}')) {
                        Object key = value();
                        expect(':');
                        if (map.put(key, value()) != null) throw error("duplicate key " + repr(key));
                        if (closing('}')) break;
                        expect(',');
                    }
                    depth--;
                    return map;
                }
                case '(', '[' -> {
                    enter();
                    char close = c == '(' ? ')' : ']';
                    List<Object> items = new ArrayList<>();
                    boolean comma = false; // whether the last item was followed by a comma: (x,) is a tuple, (x) is x
                    while (!closing(close)) {
                        items.add(value());
                        comma = false;
                        if (closing(close)) break;
                        expect(',');
                        comma = true;
                    }
                    depth--;
                    if (c == '(' && items.size() == 1 && !comma) {
                        return items.get(0); // (x) is just x
                    }
                    return c == '(' ? new Tuple(items) : items;
                }
                case '\'', '"' -> {
                    return string(c);
                }
                default -> {
                    if (c == '-' || c == '+' || Character.isDigit(c)) return integer();
                    if (Character.isLetter(c) || c == '_') {
                        int start = i;
                        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
                        String word = s.substring(start, i);
                        return switch (word) {
                            case "True" -> Boolean.TRUE;
                            case "False" -> Boolean.FALSE;
                            case "None" -> NONE;
                            default -> throw error("unexpected name '" + word + "'");
                        };
                    }
                    throw error("unexpected " + describe());
                }
            }
        }

        private String string(char quote) {
            StringBuilder out = new StringBuilder();
            i++;
            while (true) {
                if (i >= s.length()) throw error("unterminated string");
                char c = s.charAt(i++);
                if (c == quote) return out.toString();
                if (c == '\\') {
                    if (i >= s.length()) throw error("unterminated string");
                    char e = s.charAt(i++);
                    out.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        case '0' -> '\0';
                        default -> e;
                    });
                } else {
                    out.append(c);
                }
            }
        }

        private BigInteger integer() {
            int start = i;
            if (s.charAt(i) == '-' || s.charAt(i) == '+') i++;
            int digits = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            if (i == digits) throw error("expected a number");
            if (i - digits > MAX_DIGITS) throw error("a number of " + (i - digits) + " digits at character " + (digits + 1));
            if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                throw error("expected an integer");
            }
            BigInteger v = new BigInteger(s.substring(start, i));
            if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) i++; // Python 2 longs
            return v;
        }

        /** Steps into a dict, tuple or list, refusing nesting deeper than {@link #MAX_DEPTH}. */
        private void enter() {
            if (++depth > MAX_DEPTH) throw error("nested more than " + MAX_DEPTH + " levels deep at character " + (i + 1));
            i++;
        }

        private boolean closing(char close) {
            skipSpace();
            if (i < s.length() && s.charAt(i) == close) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            skipSpace();
            if (i >= s.length() || s.charAt(i) != c) throw error("expected '" + c + "' but found " + describe());
            i++;
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private String describe() {
            return i >= s.length() ? "the end" : "'" + s.charAt(i) + "' at character " + (i + 1);
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(message);
        }

        static String repr(Object v) {
            if (v instanceof String str) return "'" + str + "'";
            if (v instanceof Boolean b) return b ? "True" : "False";
            if (v instanceof Tuple(List<Object> items)) {
                return items.stream().map(PyLiteral::repr).collect(Collectors.joining(", ", "(", items.size() == 1 ? ",)" : ")"));
            }
            if (v instanceof List<?> list) return list.stream().map(PyLiteral::repr).collect(Collectors.joining(", ", "[", "]"));
            if (v instanceof Map<?, ?> map) {
                return map.entrySet().stream().map(e -> repr(e.getKey()) + ": " + repr(e.getValue()))
                        .collect(Collectors.joining(", ", "{", "}"));
            }
            return String.valueOf(v);
        }
    }
}
