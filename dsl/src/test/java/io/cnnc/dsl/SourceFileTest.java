package io.cnnc.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceFileTest {

    @TempDir
    Path dir;

    @Test
    void aFileOverTheLimitIsRefusedBeforeItIsRead() throws IOException {
        Path huge = dir.resolve("huge.cnn");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that take no disk space and would not fit in a String
        }
        assertThatThrownBy(() -> SourceFile.read(huge))
                .isInstanceOf(SourceFile.TooLargeException.class)
                .hasMessage(huge + ": file is 3,221,225,472 bytes; a .cnn file may be at most 4,194,304 bytes (4 MiB)");
    }

    @Test
    void aFileJustOverTheLimitIsRefusedAndOneAtItIsRead() throws IOException {
        Path at = dir.resolve("at.cnn");
        Files.writeString(at, " ".repeat(CnnFrontEnd.MAX_SOURCE_CHARS));
        assertThat(SourceFile.read(at).text()).hasSize(CnnFrontEnd.MAX_SOURCE_CHARS);
        Files.writeString(at, " ".repeat(CnnFrontEnd.MAX_SOURCE_CHARS + 1));
        assertThatThrownBy(() -> SourceFile.read(at)).isInstanceOf(SourceFile.TooLargeException.class);
    }

    @Test
    void invalidUtf8IsStillReported() throws IOException {
        Path bad = dir.resolve("bad.cnn");
        Files.write(bad, new byte[] {'n', (byte) 0xC3, '(', '\n'});
        assertThatThrownBy(() -> SourceFile.read(bad)).isInstanceOf(MalformedInputException.class);
    }

    @Test
    void aByteOrderMarkIsDropped() throws IOException {
        Path bom = dir.resolve("bom.cnn");
        Files.write(bom, ("\uFEFFnetwork N { input x: [1, 2, 2] }\n").getBytes(StandardCharsets.UTF_8));
        SourceFile source = SourceFile.read(bom);
        assertThat(source.text()).startsWith("network");
        Diagnostics d = new Diagnostics(source);
        CnnFrontEnd.parse(source, d);
        assertThat(d.hasErrors()).as(d.render()).isFalse();
    }

    @Test
    void crLfAndCrLfFilesGiveTheSameLineAndColumn() throws IOException {
        String[] lines = {"network N {", "  input x: [3, 8, 8]", "  conv(4, 3) $ relu", "}", ""};
        for (String end : new String[] {"\n", "\r\n", "\r"}) {
            Path file = dir.resolve("lines.cnn");
            Files.writeString(file, "\uFEFF" + String.join(end, lines));
            SourceFile source = SourceFile.read(file);
            Diagnostics d = new Diagnostics(source);
            CnnFrontEnd.parse(source, d);
            assertThat(d.render()).as("line ends %s", end.replace("\r", "CR").replace("\n", "LF"))
                    .isEqualTo(file + ":3:14: error: unexpected character '$'\n    conv(4, 3) $ relu\n               ^\n1 error in " + file + "\n");
        }
    }
}
