package io.cnnc.dsl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The text of one .cnn file and the name diagnostics call it by. */
public record SourceFile(String name, String text) {

    public static SourceFile read(Path path) throws IOException {
        return new SourceFile(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
    }

    /** The 1-based line's text without its line terminator, or "" past the end. */
    public String line(int line) {
        List<String> lines = text.lines().toList();
        return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    }
}
