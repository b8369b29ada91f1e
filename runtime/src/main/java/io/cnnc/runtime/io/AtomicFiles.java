package io.cnnc.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a
 * partial file: the data goes to a temporary file in the target's directory, is flushed and
 * fsynced, then renamed over the target with {@code ATOMIC_MOVE}. If anything fails (the body
 * throws, the disk is full, the rename is refused) the temporary file is deleted and an
 * existing target is left untouched.
 */
public final class AtomicFiles {

    private static final int BUFFER = 1 << 16;

    private AtomicFiles() {}

    /**
     * Writes {@code target} with what {@code body} writes to the stream it is given. The stream
     * is buffered; the body need not flush it and closing it has no effect. Missing parent
     * directories are created. If the target is a symbolic link, the file it points to is replaced.
     * A replaced file keeps its POSIX permissions; a new one gets the default permissions.
     */
    public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
        Objects.requireNonNull(body, "body");
        Path file = resolveLinks(target.toAbsolutePath());
        if (Files.isDirectory(file)) throw new IOException(target + ": is a directory");
        Path dir = file.getParent();
        if (dir == null) throw new IOException(target + ": cannot replace a file system root");
        Files.createDirectories(dir);
        Path temp = createTemp(dir, file.getFileName().toString());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                BufferedOutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
                body.accept(new Unclosable(buffered));
                buffered.flush();
                channel.force(true);
            }
            copyPermissions(file, temp); // after writing: the old file may be read-only
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        syncDirectory(dir);
    }

    private static Path resolveLinks(Path file) {
        if (!Files.isSymbolicLink(file)) return file;
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file; // a dangling link: replace the link itself
        }
    }

    /** A new empty file beside the target, hidden, with default permissions (unlike Files.createTempFile's 0600). */
    private static Path createTemp(Path dir, String name) throws IOException {
        String stem = "." + (name.length() > 100 ? name.substring(0, 100) : name) + ".";
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(stem + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    private static void copyPermissions(Path from, Path to) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(from, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            if (view != null && Files.exists(from)) Files.setPosixFilePermissions(to, view.readAttributes().permissions());
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the new file keeps the default permissions
        }
    }

    /** Makes the rename itself durable where the platform allows opening a directory (Linux, macOS). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the data itself is already synced
        }
    }

    /** Passes writes through; close() only flushes, so a body that closes its stream does no harm. */
    private static final class Unclosable extends OutputStream {
        private final OutputStream out;

        Unclosable(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
