package io.cnnc.runtime.io;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Refuses, before allocating, what a file would need beyond the whole Java heap, so that a large
 * file gives an error naming it and the heap rather than an OutOfMemoryError.
 */
public final class HeapLimit {

    private HeapLimit() {}

    /** The most the heap can ever hold ({@code -Xmx}). */
    public static long max() {
        return Runtime.getRuntime().maxMemory();
    }

    /** Fails when {@code bytes} are more than the heap holds; {@code what} names the need, e.g. "array of shape [..]". */
    public static void check(Path path, long bytes, String what) throws FormatException {
        long max = max();
        if (bytes > max) {
            throw new FormatException(path, what + " needs " + size(bytes) + " of memory, more than the Java heap's " + size(max)
                    + " (give the JVM more, e.g. CNNC_JAVA_OPTS=-Xmx" + Math.max(2, (bytes >> 30) + 2) + "g)");
        }
    }

    /** "3.2 GiB", "640 MiB". */
    public static String size(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%d MiB", Math.max(1, bytes >> 20));
    }
}
