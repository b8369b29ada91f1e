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
    void writesANewFile() throws Exception {
        Path p = tmp.resolve("out.txt");
        AtomicFiles.write(p, out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(p)).isEqualTo("hello");
        assertThat(names(tmp)).containsExactly("out.txt");
    }

    @Test
    void aMissingFolderIsAnErrorAndIsNotCreated() {
        Path p = tmp.resolve("a/b/out.txt");
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> out.write(1))).isInstanceOf(IOException.class)
                .hasMessage(p + ": directory " + tmp.resolve("a/b") + " does not exist");
        assertThat(Files.exists(tmp.resolve("a"))).isFalse();
    }

    @Test
    void aFileInPlaceOfTheFolderIsAnError() throws Exception {
        Files.writeString(tmp.resolve("f"), "x");
        Path p = tmp.resolve("f/out.txt");
        assertThatThrownBy(() -> AtomicFiles.checkWritable(p)).hasMessage(p + ": " + tmp.resolve("f") + " is not a directory");
    }

    @Test
    void aFailureNamesTheTargetNotTheTemporaryFile() throws Exception {
        Path p = tmp.resolve("full.bin");
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
            throw new IOException("No space left on device");
        })).isInstanceOf(IOException.class).hasMessage(p + ": cannot write: No space left on device");
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
            throw new java.nio.file.AccessDeniedException(tmp.resolve(".full.bin.x1.tmp").toString());
        })).hasMessage(p + ": cannot write: permission denied");
        assertThat(names(tmp)).isEmpty();
    }

    @Test
    void aReadOnlyFolderNamesTheTarget() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path dir = Files.createDirectory(tmp.resolve("ro"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeTrue(!Files.isWritable(dir), "permissions do not apply to this user (root)");
            Path p = dir.resolve("w.safetensors");
            assertThatThrownBy(() -> AtomicFiles.write(p, out -> out.write(1)))
                    .hasMessage(p + ": cannot write: permission denied").hasMessageNotContaining(".tmp");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void createsAFolderButNotOverAFile() throws Exception {
        Path dir = tmp.resolve("x/y");
        assertThat(AtomicFiles.createFolder(dir)).isDirectory();
        Path file = Files.writeString(tmp.resolve("file"), "keep");
        assertThatThrownBy(() -> AtomicFiles.createFolder(file)).hasMessage(file + ": exists and is a file, not a folder");
        assertThatThrownBy(() -> AtomicFiles.createFolder(file.resolve("run")))
                .hasMessage(file.resolve("run") + ": " + file + " is a file, not a folder");
        assertThat(Files.readString(file)).isEqualTo("keep");
    }

    @Test
    void removesOnlyTheStaleTemporaryFilesOfItsTarget() throws Exception {
        Path target = tmp.resolve("last.safetensors");
        Files.writeString(target, "kept");
        for (String n : List.of(".last.safetensors.3w5e11264sgsf.tmp", ".last.safetensors.0.tmp", ".best.safetensors.abc.tmp",
                ".last.safetensors.notes", "last.safetensors.3w5e11264sgsf.tmp", ".last.safetensors.ABC.tmp", "x.tmp")) {
            Files.writeString(tmp.resolve(n), "x");
        }
        assertThat(AtomicFiles.removeStaleTemps(target)).isEqualTo(2);
        assertThat(names(tmp)).containsExactly(".best.safetensors.abc.tmp", ".last.safetensors.ABC.tmp", ".last.safetensors.notes",
                "last.safetensors", "last.safetensors.3w5e11264sgsf.tmp", "x.tmp");
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
        })).isInstanceOf(IOException.class).hasMessage(p + ": cannot write: disk full");
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
        })).hasMessage(p + ": cannot write: no");
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
