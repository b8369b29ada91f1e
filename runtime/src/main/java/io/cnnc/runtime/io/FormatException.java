package io.cnnc.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not what it claims to be, reported to the user as is. The message starts with
 * the file's path, then {@code ": "}, then what is wrong in words, e.g.
 * {@code w.safetensors: header length 9999999999 exceeds the file size 1234}.
 */
public final class FormatException extends IOException {

    /** A message already in the form {@code path: problem}. */
    public FormatException(String message) {
        super(message);
    }

    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
