package io.cnnc.dsl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The text of one .cnn file and the name diagnostics call it by. The text is kept as editors
 * show it: a leading byte order mark is dropped and CR LF or a lone CR (old Mac files) become
 * LF, so that line and column numbers are the same whichever line ends a file has.
 */
public record SourceFile(String name, String text) {

    public SourceFile {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        if (text.indexOf('\r') >= 0) text = text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /**
     * Reads a UTF-8 file, refusing one longer than {@link CnnFrontEnd#MAX_SOURCE_CHARS} bytes
     * before reading it, so that a huge file fails with a message instead of running out of memory.
     */
    public static SourceFile read(Path path) throws IOException {
        long size = Files.size(path);
        int limit = CnnFrontEnd.MAX_SOURCE_CHARS;
        if (size > limit) throw new TooLargeException(path, size);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            // Bounded too: a device or a file that grows may be longer than its size said.
            bytes = in.readNBytes(limit + 1);
        }
        if (bytes.length > limit) throw new TooLargeException(path, bytes.length);
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        return new SourceFile(path.toString(), text);
    }

    /** The 1-based line's text without its line terminator, or "" past the end. */
    public String line(int line) {
        return line < 1 ? "" : text.lines().skip(line - 1).findFirst().orElse("");
    }

    /** A file over the size limit; the message says how big it is and what the limit is. */
    public static final class TooLargeException extends IOException {
        TooLargeException(Path path, long bytes) {
            super(String.format(Locale.ROOT, "%s: file is %,d bytes; a .cnn file may be at most %,d bytes (4 MiB)",
                    path, bytes, CnnFrontEnd.MAX_SOURCE_CHARS));
        }
    }
}
