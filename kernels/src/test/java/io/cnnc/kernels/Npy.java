package io.cnnc.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only reader for the .npy files the PyTorch fixture scripts write: float32, little-endian,
 * C order, format versions 1 to 3. Anything else is refused rather than misread, so a fixture
 * regenerated with another dtype fails loudly instead of comparing garbage.
 */
public record Npy(int[] shape, float[] data) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public static Npy read(InputStream in) throws IOException {
        return parse(in.readAllBytes());
    }

    public static Npy parse(byte[] bytes) {
        if (bytes.length < 10 || !Arrays.equals(bytes, 0, 6, MAGIC, 0, 6)) throw new IllegalArgumentException("not an .npy file");
        int major = bytes[6];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buf.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            headerLength = buf.getInt(8);
            headerStart = 12;
        } else {
            throw new IllegalArgumentException("unsupported .npy version " + major);
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr");
        if (!descr.equals("<f4")) throw new IllegalArgumentException("expected float32 little-endian ('<f4'), got '" + descr + "'");
        if (!group(FORTRAN, header, "fortran_order").equals("False")) throw new IllegalArgumentException("Fortran order is not supported");
        int[] shape = Arrays.stream(group(SHAPE, header, "shape").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long count = 1;
        for (int d : shape) count *= d;
        int dataStart = headerStart + headerLength;
        if (bytes.length - dataStart != count * Float.BYTES) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + count * Float.BYTES
                    + " bytes of data, file has " + (bytes.length - dataStart));
        }
        float[] data = new float[(int) count];
        buf.position(dataStart);
        buf.asFloatBuffer().get(data);
        return new Npy(shape, data);
    }

    private static String group(Pattern pattern, String header, String key) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) throw new IllegalArgumentException("no '" + key + "' in .npy header: " + header);
        return m.group(1);
    }
}
