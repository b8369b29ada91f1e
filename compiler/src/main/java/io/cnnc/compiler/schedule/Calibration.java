package io.cnnc.compiler.schedule;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What {@link MachineCalibration} measured on one machine: its FP32 peak, its bandwidth on one
 * and on all threads, the cost of handing a layer to other threads, the cost of a layout
 * reorder, and each conv strategy's efficiency (median per key, and per calibration layer).
 * Cached per machine in the user's cache directory ({@link #cacheFile}) and read by
 * {@link Machine#detect}; a file that does not parse, or that another machine wrote, is not used.
 */
public record Calibration(String machine, double peakGflopsPerCore, double bandwidthGBs1, double bandwidthGBs2, double handoverMs,
                          double reorderNanosPerElement, Map<String, Double> efficiencies, List<CalibratedLayers.Row> layers, String date,
                          double seconds) {

    static final String FORMAT = "cnnc-calibration-1";

    public Calibration {
        efficiencies = Map.copyOf(efficiencies);
        layers = List.copyOf(layers);
    }

    /**
     * The cache file for {@code machine}: {@code $XDG_CACHE_HOME/cnnc/calibration/} (else
     * {@code ~/.cache/...}), named from the machine's key; the system property
     * {@code cnnc.calibration.dir} moves it (tests).
     */
    public static Path cacheFile(String machine) {
        String dir = System.getProperty("cnnc.calibration.dir");
        Path base;
        if (dir != null) {
            base = Path.of(dir);
        } else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            base = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("cnnc")
                    .resolve("calibration");
        }
        String name = machine.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (name.length() > 120) name = name.substring(0, 120) + "_" + Integer.toHexString(machine.hashCode());
        return base.resolve(name + ".properties");
    }

    /** The efficiencies as the cost model reads them, over {@code shipped} where this calibration has no key. */
    public Efficiencies over(Efficiencies shipped) {
        Map<String, Double> merged = new TreeMap<>(shipped.asMap());
        merged.putAll(efficiencies);
        return new Efficiencies(merged, new CalibratedLayers(layers));
    }

    public String text() {
        Properties p = new Properties();
        p.setProperty("format", FORMAT);
        p.setProperty("machine", machine);
        p.setProperty("date", date);
        p.setProperty("seconds", num(seconds));
        p.setProperty("peak_gflops_per_core", num(peakGflopsPerCore));
        p.setProperty("bandwidth_gbs_1", num(bandwidthGBs1));
        p.setProperty("bandwidth_gbs_2", num(bandwidthGBs2));
        p.setProperty("handover_ms", num(handoverMs));
        p.setProperty("reorder_ns_per_element", num(reorderNanosPerElement));
        efficiencies.forEach((k, v) -> p.setProperty("e." + k, num(v)));
        for (int i = 0; i < layers.size(); i++) p.setProperty(String.format(Locale.ROOT, "l.%04d", i), layers.get(i).tsv());
        StringWriter w = new StringWriter();
        try {
            p.store(w, "cnnc calibrate: what this machine measured (docs/compiler.md, \"Self-calibration\")");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    /** Writes the calibration to {@code file} through a temporary file, so a reader never sees half of one. */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, text(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A calibration read back, or the reason it cannot be used. */
    public sealed interface Read {
        record Usable(Calibration calibration) implements Read {}

        record Unusable(String reason) implements Read {}

        record Absent() implements Read {}
    }

    /** The calibration cached at {@code file} for {@code machine}: absent, usable, or unusable with the reason. */
    public static Read read(Path file, String machine) {
        if (!Files.isRegularFile(file)) return new Read.Absent();
        try {
            return parse(Files.newBufferedReader(file, StandardCharsets.UTF_8), machine);
        } catch (IOException | RuntimeException e) {
            return new Read.Unusable("it could not be read (" + e.getMessage() + ")");
        }
    }

    static Read parse(String text, String machine) {
        try {
            return parse(new StringReader(text), machine);
        } catch (IOException | RuntimeException e) {
            return new Read.Unusable("it could not be read (" + e.getMessage() + ")");
        }
    }

    private static Read parse(Reader in, String machine) throws IOException {
        Properties p = new Properties();
        try (in) {
            p.load(in);
        }
        if (!FORMAT.equals(p.getProperty("format"))) return new Read.Unusable("it is not a " + FORMAT + " file");
        if (!machine.equals(p.getProperty("machine"))) {
            return new Read.Unusable("it was measured on another machine (" + p.getProperty("machine") + ")");
        }
        Map<String, Double> efficiencies = new TreeMap<>();
        List<CalibratedLayers.Row> rows = new ArrayList<>();
        for (String k : new TreeMap<>(Map.copyOf(p)).keySet().stream().map(Object::toString).toList()) {
            if (k.startsWith("e.")) efficiencies.put(k.substring(2), positive(p, k));
            if (k.startsWith("l.")) {
                CalibratedLayers.Row r = CalibratedLayers.Row.parse(p.getProperty(k));
                if (!(r.efficiency() > 0) || !Double.isFinite(r.efficiency())) throw new IllegalArgumentException(k + " has efficiency " + r.efficiency());
                rows.add(r);
            }
        }
        return new Read.Usable(new Calibration(machine, positive(p, "peak_gflops_per_core"), positive(p, "bandwidth_gbs_1"),
                positive(p, "bandwidth_gbs_2"), positive(p, "handover_ms"), positive(p, "reorder_ns_per_element"), efficiencies, rows,
                p.getProperty("date", "?"), positive(p, "seconds")));
    }

    private static double positive(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) throw new IllegalArgumentException("no " + key);
        double d = Double.parseDouble(v);
        if (!(d > 0) || !Double.isFinite(d)) throw new IllegalArgumentException(key + " is " + v);
        return d;
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.6g", d);
    }
}
