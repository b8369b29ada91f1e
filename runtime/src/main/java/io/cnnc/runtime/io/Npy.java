package io.cnnc.runtime.io;

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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's .npy format (versions 1-3). Reads little-endian floats, integers and booleans in
 * C order as float32; writes float32. Sizes are checked against the file before allocating.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    public static Tensor read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            if (pre.position() < 10) throw new FormatException(path, "too short to be a .npy file (" + fileSize + " bytes)");
            for (int i = 0; i < MAGIC.length; i++) {
                if (pre.get(i) != MAGIC[i]) throw new FormatException(path, "not a .npy file (bad magic bytes)");
            }
            int major = pre.get(6);
            long headerLength;
            int headerStart;
            if (major == 1) {
                headerLength = Short.toUnsignedInt(pre.getShort(8));
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                if (pre.position() < 12) throw new FormatException(path, "truncated .npy header");
                headerLength = Integer.toUnsignedLong(pre.getInt(8));
                headerStart = 12;
            } else {
                throw new FormatException(path, "unsupported .npy version " + major);
            }
            if (headerLength > MAX_HEADER || headerStart + headerLength > fileSize) {
                throw new FormatException(path, "header length " + headerLength + " exceeds the file (" + fileSize + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
            ch.read(hb, headerStart);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = group(DESCR, header, path, "descr");
            if ("True".equals(group(FORTRAN, header, path, "fortran_order"))) {
                throw new FormatException(path, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
            }
            int[] shape = shape(group(SHAPE, header, path, "shape"), path);
            DType type = DType.of(descr, path);
            long count = Tensor.product(shape);
            long dataStart = headerStart + headerLength;
            long needed = Math.multiplyExact(count, type.size);
            if (dataStart + needed > fileSize) {
                throw new FormatException(path, "data is truncated: shape " + java.util.Arrays.toString(shape) + " of " + descr
                        + " needs " + needed + " bytes, the file has " + (fileSize - dataStart));
            }
            if (count > Integer.MAX_VALUE - 8) throw new FormatException(path, "array of " + count + " elements is too large");
            ByteBuffer data = ByteBuffer.allocate((int) needed).order(ByteOrder.LITTLE_ENDIAN);
            while (data.hasRemaining()) {
                if (ch.read(data, dataStart + data.position()) < 0) throw new FormatException(path, "data is truncated");
            }
            data.flip();
            return Tensor.of(type.decode(data, (int) count), shape);
        } catch (NoSuchFileException e) {
            throw new FormatException(path, "no such file");
        } catch (ArithmeticException e) {
            throw new FormatException(path, "shape is too large");
        }
    }

    public static void write(Path path, Tensor tensor) throws IOException {
        String shape = java.util.Arrays.stream(tensor.shape()).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(", ")) + (tensor.rank() == 1 ? "," : "");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
        // Pad with spaces so that magic + length + header + newline is a multiple of 64, as numpy does.
        int total = MAGIC.length + 4 + dict.length() + 1;
        String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer data = ByteBuffer.allocate(tensor.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(tensor.data());
        AtomicFiles.write(path, out -> {
            out.write(MAGIC);
            out.write(new byte[] {1, 0, (byte) header.length(), (byte) (header.length() >> 8)});
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(data.array());
        });
    }

    private static String group(Pattern p, String header, Path path, String key) throws FormatException {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new FormatException(path, "header has no valid '" + key + "' entry");
        return m.group(1);
    }

    private static int[] shape(String text, Path path) throws FormatException {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.strip();
            if (t.isEmpty()) continue;
            try {
                int d = Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
                if (d < 0) throw new NumberFormatException();
                dims.add(d);
            } catch (NumberFormatException e) {
                throw new FormatException(path, "bad dimension '" + t + "' in shape");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private enum DType {
        F4(4), F8(8), F2(2), I4(4), I8(8), U1(1), I1(1), B1(1);

        final int size;

        DType(int size) {
            this.size = size;
        }

        static DType of(String descr, Path path) throws FormatException {
            return switch (descr) {
                case "<f4" -> F4;
                case "<f8" -> F8;
                case "<f2" -> F2;
                case "<i4" -> I4;
                case "<i8" -> I8;
                case "|u1" -> U1;
                case "|i1" -> I1;
                case "|b1" -> B1;
                default -> throw new FormatException(path, "unsupported dtype '" + descr + "'"
                        + (descr.startsWith(">") ? " (big-endian)" : "") + "; use float32, float64, float16, int8/32/64, uint8 or bool");
            };
        }

        float[] decode(ByteBuffer b, int n) {
            float[] out = new float[n];
            switch (this) {
                case F4 -> b.asFloatBuffer().get(out);
                case F8 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(); }
                case F2 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort()); }
                case I4 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(); }
                case I8 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(); }
                case U1 -> { for (int i = 0; i < n; i++) out[i] = Byte.toUnsignedInt(b.get()); }
                case I1 -> { for (int i = 0; i < n; i++) out[i] = b.get(); }
                case B1 -> { for (int i = 0; i < n; i++) out[i] = b.get() != 0 ? 1 : 0; }
            }
            return out;
        }
    }
}
