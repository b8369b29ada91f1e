package io.cnnc.runtime.data;

import io.cnnc.runtime.io.FormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The IDX format of MNIST and Fashion-MNIST, raw or gzipped: unsigned-byte images and labels. */
public final class Idx {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;
    private static final int MAX_COUNT = 10_000_000;

    private Idx() {}

    public record Images(int count, int rows, int cols, byte[] pixels) {}

    public static Images readImages(Path path) throws IOException {
        try (DataInputStream in = open(path)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) throw new FormatException(path, String.format("not an IDX image file (magic 0x%08x)", magic));
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || count > MAX_COUNT || rows < 1 || rows > 4096 || cols < 1 || cols > 4096
                    || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw new FormatException(path, "implausible header: " + count + " images of " + rows + "x" + cols);
            }
            byte[] pixels = new byte[count * rows * cols];
            in.readFully(pixels);
            return new Images(count, rows, cols, pixels);
        } catch (EOFException e) {
            throw new FormatException(path, "truncated");
        }
    }

    public static byte[] readLabels(Path path) throws IOException {
        try (DataInputStream in = open(path)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) throw new FormatException(path, String.format("not an IDX label file (magic 0x%08x)", magic));
            int count = in.readInt();
            if (count < 0 || count > MAX_COUNT) throw new FormatException(path, "implausible label count " + count);
            byte[] labels = new byte[count];
            in.readFully(labels);
            return labels;
        } catch (EOFException e) {
            throw new FormatException(path, "truncated");
        }
    }

    private static DataInputStream open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new FormatException(path, "no such file");
        InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        return new DataInputStream(new BufferedInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16));
    }
}
