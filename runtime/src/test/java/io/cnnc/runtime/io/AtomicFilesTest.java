package io.cnnc.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path tmp;

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesANewFileAndItsMissingDirectories() throws Exception {
        Path p = tmp.resolve("a/b/out.txt");
        AtomicFiles.write(p, out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(p)).isEqualTo("hello");
        assertThat(names(p.getParent())).containsExactly("out.txt");
    }

    @Test
    void replacesTheWholeContent() throws Exception {
        Path p = tmp.resolve("out.txt");
        Files.writeString(p, "a much longer old content");
        AtomicFiles.write(p, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(p)).isEqualTo("new");
        assertThat(names(tmp)).containsExactly("out.txt");
    }

    @Test
    void aBodyThatFailsMidwayLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path p = tmp.resolve("keep.bin");
        Files.writeString(p, "old");
        // More than the 64 KiB buffer, so part of the new content has reached the temporary file.
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
            out.write(new byte[200_000]);
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(Files.readString(p)).isEqualTo("old");
        assertThat(names(tmp)).containsExactly("keep.bin");

        assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
            out.write(1);
            throw new IllegalStateException("bug in the writer");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(Files.readString(p)).isEqualTo("old");
        assertThat(names(tmp)).containsExactly("keep.bin");
    }

    @Test
    void aFailedFirstWriteLeavesNothing() throws Exception {
        Path p = tmp.resolve("new.bin");
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
            throw new IOException("no");
        })).hasMessage("no");
        assertThat(names(tmp)).isEmpty();
    }

    @Test
    void aBodyMayCloseTheStream() throws Exception {
        Path p = tmp.resolve("closed.txt");
        AtomicFiles.write(p, out -> {
            out.write('x');
            out.close();
        });
        assertThat(Files.readString(p)).isEqualTo("x");
    }

    @Test
    void aDirectoryIsNotReplaced() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.writeString(dir.resolve("inside"), "x");
        assertThatThrownBy(() -> AtomicFiles.write(dir, out -> out.write(1))).isInstanceOf(IOException.class)
                .hasMessageContaining("is a directory");
        assertThat(Files.readString(dir.resolve("inside"))).isEqualTo("x");
        assertThat(names(tmp)).containsExactly("d");
    }

    @Test
    void keepsThePermissionsOfTheReplacedFile() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path p = tmp.resolve("perm.txt");
        Files.writeString(p, "old");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFiles.write(p, out -> out.write('n'));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-r-----");
    }

    @Test
    void writesThroughASymbolicLink() throws Exception {
        Path real = tmp.resolve("real.txt");
        Files.writeString(real, "old");
        Path link;
        try {
            link = Files.createSymbolicLink(tmp.resolve("link.txt"), real);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "no symbolic links here");
            return;
        }
        AtomicFiles.write(link, out -> out.write('n'));
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("n");
    }
}
