package io.cnnc.runtime.data;

import io.cnnc.runtime.io.FormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The IDX format of MNIST and Fashion-MNIST, raw or gzipped (recognised by the first two bytes,
 * 0x1f 0x8b, not by the name): unsigned-byte images (magic 2051) and labels (magic 2049).
 *
 * <p>The header is checked against the file's length before anything is allocated: a raw file
 * must hold exactly the header plus {@code count*rows*cols} (or {@code count}) bytes; for a
 * gzipped file the gzip trailer's ISIZE (uncompressed length mod 2^32) must agree, and the stream
 * must then deliver exactly that many bytes.
 */
public final class Idx {

    public static final int IMAGES_MAGIC = 0x00000803; // 2051
    public static final int LABELS_MAGIC = 0x00000801; // 2049
    private static final int MAX_COUNT = 10_000_000;
    private static final int MAX_SIDE = 4096;

    private Idx() {}

    /** {@code count} images of {@code rows x cols} unsigned bytes, row-major, image after image. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        public int pixelsPerImage() {
            return rows * cols;
        }

        /** Pixel (r, c) of image i as 0..255. */
        public int pixel(int i, int r, int c) {
            return pixels[(i * rows + r) * cols + c] & 0xff;
        }

        /** A copy of image i, rows*cols bytes. */
        public byte[] image(int i) {
            int n = rows * cols;
            byte[] out = new byte[n];
            System.arraycopy(pixels, i * n, out, 0, n);
            return out;
        }
    }

    public static Images readImages(Path path) throws IOException {
        Source src = open(path);
        try (DataInputStream in = src.in) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) throw new FormatException(path, String.format("not an IDX image file (magic 0x%08x, expected 0x%08x)", magic, IMAGES_MAGIC));
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || count > MAX_COUNT || rows < 1 || rows > MAX_SIDE || cols < 1 || cols > MAX_SIDE
                    || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw new FormatException(path, "implausible header: " + count + " images of " + rows + "x" + cols);
            }
            long payload = (long) count * rows * cols;
            src.checkLength(path, 16 + payload);
            byte[] pixels = new byte[(int) payload];
            in.readFully(pixels);
            expectEnd(path, in);
            return new Images(count, rows, cols, pixels);
        } catch (EOFException e) {
            throw new FormatException(path, "truncated");
        } catch (ZipException e) {
            throw new FormatException(path, "corrupt gzip data: " + e.getMessage());
        }
    }

    /** The labels as unsigned bytes (0..9 for MNIST). */
    public static byte[] readLabels(Path path) throws IOException {
        Source src = open(path);
        try (DataInputStream in = src.in) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) throw new FormatException(path, String.format("not an IDX label file (magic 0x%08x, expected 0x%08x)", magic, LABELS_MAGIC));
            int count = in.readInt();
            if (count < 0 || count > MAX_COUNT) throw new FormatException(path, "implausible label count " + count);
            src.checkLength(path, 8 + (long) count);
            byte[] labels = new byte[count];
            in.readFully(labels);
            expectEnd(path, in);
            return labels;
        } catch (EOFException e) {
            throw new FormatException(path, "truncated");
        } catch (ZipException e) {
            throw new FormatException(path, "corrupt gzip data: " + e.getMessage());
        }
    }

    private static void expectEnd(Path path, InputStream in) throws IOException {
        if (in.read() != -1) throw new FormatException(path, "trailing bytes after the data the header announces");
    }

    /** The decoded stream plus what is known about its length without reading it. */
    private record Source(DataInputStream in, boolean gzip, long fileSize, long isize) {
        void checkLength(Path path, long expected) throws IOException {
            if (!gzip) {
                if (fileSize < expected) {
                    in.close();
                    throw new FormatException(path, "truncated: header announces " + expected + " bytes, file has " + fileSize);
                }
                if (fileSize > expected) {
                    in.close();
                    throw new FormatException(path, "header announces " + expected + " bytes, file has " + fileSize + " (trailing bytes)");
                }
            } else if ((expected & 0xffffffffL) != isize) {
                in.close();
                throw new FormatException(path, "truncated or wrong length: header announces " + expected
                        + " bytes, gzip trailer says " + isize + " (mod 2^32)");
            }
        }
    }

    private static Source open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new FormatException(path, "no such file");
        long size = Files.size(path);
        boolean gzip = false;
        long isize = -1;
        try (SeekableByteChannel ch = Files.newByteChannel(path)) {
            ByteBuffer head = ByteBuffer.allocate(2);
            while (head.hasRemaining() && ch.read(head) > 0) {}
            gzip = head.position() == 2 && (head.get(0) & 0xff) == 0x1f && (head.get(1) & 0xff) == 0x8b;
            if (gzip) {
                if (size < 18) throw new FormatException(path, "truncated gzip file");
                ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                ch.position(size - 4);
                while (tail.hasRemaining() && ch.read(tail) > 0) {}
                isize = Integer.toUnsignedLong(tail.getInt(0));
            }
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        InputStream decoded = raw;
        if (gzip) {
            try {
                decoded = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (IOException e) {
                raw.close();
                throw new FormatException(path, "corrupt gzip header: " + e.getMessage());
            }
        }
        return new Source(new DataInputStream(decoded), gzip, size, isize);
    }
}
