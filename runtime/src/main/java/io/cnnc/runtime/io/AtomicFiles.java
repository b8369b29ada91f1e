package io.cnnc.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

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
     * is buffered; the body need not flush it and closing it has no effect. The target's folder
     * must exist (as for {@code cp}). If the target is a symbolic link, the file it points to is
     * replaced. A replaced file keeps its POSIX permissions; a new one gets the default permissions.
     * A failure to write (permission denied, a full disk) is reported with the target's name,
     * never the temporary file's.
     */
    public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
        Objects.requireNonNull(body, "body");
        checkWritable(target);
        Path file = resolveLinks(target.toAbsolutePath());
        Path dir = file.getParent();
        Path temp = null;
        try {
            temp = createTemp(dir, file.getFileName().toString());
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
                if (temp != null) Files.deleteIfExists(temp);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            if (t instanceof IOException e) throw naming(target, e);
            throw t;
        }
        syncDirectory(dir);
    }

    /**
     * Refuses, before anything is written, a target that {@link #write} could not write: a
     * directory, or one whose folder does not exist. Commands with several outputs check them
     * all first, so that a refused one leaves none of the others written.
     */
    public static void checkWritable(Path target) throws IOException {
        Path file = resolveLinks(target.toAbsolutePath());
        if (Files.isDirectory(file)) throw new IOException(target + ": is a directory");
        Path dir = file.getParent();
        if (dir == null) throw new IOException(target + ": cannot replace a file system root");
        Path shown = target.getParent() != null ? target.getParent() : dir;
        if (!Files.exists(dir)) throw new IOException(target + ": directory " + shown + " does not exist");
        if (!Files.isDirectory(dir)) throw new IOException(target + ": " + shown + " is not a directory");
    }

    /**
     * Creates an output folder and its missing parents (a run folder, a folder of images);
     * a file in the way is an error that says so.
     */
    public static Path createFolder(Path dir) throws IOException {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new IOException(dir + ": " + (p.equals(dir.toAbsolutePath()) ? "exists and is a file, not a folder"
                        : p + " is a file, not a folder"));
            }
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw naming(dir, e);
        }
    }

    /**
     * Deletes the temporary files that writes of {@code target} left behind when their process
     * was killed mid-write (only names of the form {@link #write} gives them, beside the target).
     * Returns how many were deleted.
     */
    public static int removeStaleTemps(Path target) throws IOException {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) return 0;
        Pattern pattern = Pattern.compile(Pattern.quote(stem(file.getFileName().toString())) + "[0-9a-z]{1,13}\\.tmp");
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (pattern.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** The failure with the target's name and the reason in words (the JDK's message may name only the temporary file). */
    private static IOException naming(Path target, IOException e) {
        if (e instanceof FormatException) return e;
        String reason = switch (e) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or directory";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
        return new IOException(target + ": cannot write: " + reason, e);
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
        String stem = stem(name);
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

    private static String stem(String name) {
        return "." + (name.length() > 100 ? name.substring(0, 100) : name) + ".";
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
