package io.cnnc.runtime.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Little-endian element types and chunked conversion between files and {@code float[]}: a tensor
 * is decoded through a small buffer, so reading or writing one never needs a second copy of it
 * in memory, and byte counts beyond 2 GiB (e.g. float64 data) are no problem.
 */
final class Binary {

    private static final int CHUNK = 1 << 20;

    private Binary() {}

    /** Element encodings that are converted to float32 on reading. */
    enum Element {
        F32(4), F64(8), F16(2), BF16(2), I32(4), I64(8), U8(1), I8(1), BOOL(1);

        final int size;

        Element(int size) {
            this.size = size;
        }

        /** Decodes {@code n} elements from {@code b} (little-endian, positioned) into {@code out[offset...]}. */
        void decode(ByteBuffer b, float[] out, int offset, int n) {
            switch (this) {
                case F32 -> b.asFloatBuffer().get(out, offset, n);
                case F64 -> { for (int i = 0; i < n; i++) out[offset + i] = (float) b.getDouble(); }
                case F16 -> { for (int i = 0; i < n; i++) out[offset + i] = Float.float16ToFloat(b.getShort()); }
                case BF16 -> { for (int i = 0; i < n; i++) out[offset + i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16); }
                case I32 -> { for (int i = 0; i < n; i++) out[offset + i] = b.getInt(); }
                case I64 -> { for (int i = 0; i < n; i++) out[offset + i] = b.getLong(); }
                case U8 -> { for (int i = 0; i < n; i++) out[offset + i] = Byte.toUnsignedInt(b.get()); }
                case I8 -> { for (int i = 0; i < n; i++) out[offset + i] = b.get(); }
                case BOOL -> { for (int i = 0; i < n; i++) out[offset + i] = b.get() != 0 ? 1 : 0; }
            }
        }
    }

    /**
     * Reads {@code count} elements starting at byte {@code position}. The caller has checked that
     * the file is long enough; a shorter file (changed while reading) is still a FormatException.
     */
    static float[] readFloats(FileChannel ch, long position, int count, Element type, Path path) throws IOException {
        float[] out = new float[count];
        int perChunk = Math.min(CHUNK / type.size, count);
        ByteBuffer buffer = ByteBuffer.allocate(perChunk * type.size).order(ByteOrder.LITTLE_ENDIAN);
        long pos = position;
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            buffer.clear().limit(n * type.size);
            readFully(ch, buffer, pos, path);
            buffer.flip();
            type.decode(buffer, out, done, n);
            done += n;
            pos += (long) n * type.size;
        }
        return out;
    }

    /** Fills {@code buffer} from byte {@code position} on, or fails with "truncated". */
    static void readFully(FileChannel ch, ByteBuffer buffer, long position, Path path) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int r = ch.read(buffer, pos);
            if (r < 0) throw new FormatException(path, "file is truncated (ends at byte " + pos + ")");
            pos += r;
        }
    }

    /** Writes the values as little-endian float32. */
    static void writeFloats(OutputStream out, float[] data) throws IOException {
        int perChunk = Math.min(CHUNK / 4, data.length);
        ByteBuffer buffer = ByteBuffer.allocate(perChunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < data.length; ) {
            int n = Math.min(perChunk, data.length - done);
            buffer.clear();
            buffer.asFloatBuffer().put(data, done, n);
            out.write(buffer.array(), 0, n * 4);
            done += n;
        }
    }
}
