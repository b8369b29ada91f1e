package io.cnnc.compiler.schedule;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * Measured times (per network, CPU, thread count, batch, layer and strategy: codegen's
 * NetworkTuner makes the keys), kept in a properties file so
 * the next compile on the same machine reuses them. Written to a temporary file and renamed, so
 * an interrupted write never loses what was there. Default location
 * {@code ~/.cache/cnnc/tuning.properties}, or {@code $CNNC_TUNING_CACHE}.
 */
public final class TuningCache {

    private final Path file;
    private final Properties entries = new Properties();

    private TuningCache(Path file) {
        this.file = file;
    }

    public static Path defaultLocation() {
        String env = System.getenv("CNNC_TUNING_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "cnnc", "tuning.properties");
    }

    /** Reads the cache; a missing or unreadable file is an empty cache (it only saves time). */
    public static TuningCache open(Path file) {
        TuningCache c = new TuningCache(file);
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                c.entries.load(r);
            } catch (IOException | IllegalArgumentException e) {
                c.entries.clear();
            }
        }
        return c;
    }

    /** Milliseconds measured before, or null. */
    public Double get(String key) {
        String v = entries.getProperty(key);
        try {
            return v == null ? null : Double.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public void put(String key, double ms) {
        entries.setProperty(key, Double.toString(ms));
    }

    public int size() {
        return entries.size();
    }

    public Path file() {
        return file;
    }

    public void save() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp)) {
                entries.store(w, "cnnc tuning cache: milliseconds per cpu|threads|batch|network|layer|strategy");
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
