package io.cnnc.compiler.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The fraction of the machine's peak each conv strategy reaches, by {@link CostModel#efficiencyKey}:
 * measured by bench's CalibrateCostModel (median over a layer set) and shipped as
 * {@code efficiency.properties} beside this class. A strategy nobody calibrated gets
 * {@link #UNCALIBRATED}, low enough that a measured strategy is preferred.
 */
public final class Efficiencies {

    public static final double UNCALIBRATED = 0.05;

    private final Map<String, Double> byKey;

    public Efficiencies(Map<String, Double> byKey) {
        this.byKey = Map.copyOf(byKey);
    }

    public static Efficiencies calibrated() {
        Properties p = new Properties();
        try (InputStream in = Efficiencies.class.getResourceAsStream("efficiency.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the cost model's efficiencies", e);
        }
        Map<String, Double> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) m.put(k, Double.parseDouble(p.getProperty(k)));
        return new Efficiencies(m);
    }

    public double get(String key) {
        return byKey.getOrDefault(key, UNCALIBRATED);
    }

    public Map<String, Double> asMap() {
        return byKey;
    }
}
