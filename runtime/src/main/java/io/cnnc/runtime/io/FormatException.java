package io.cnnc.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not what it claims to be; the message starts with the file's path. */
public final class FormatException extends IOException {

    public FormatException(String message) {
        super(message);
    }

    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
