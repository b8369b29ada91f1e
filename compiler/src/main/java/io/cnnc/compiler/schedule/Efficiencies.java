package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The fraction of the machine's peak each conv strategy reaches, by {@link io.cnnc.kernels.cpu.conv.ConvStrategy#efficiencyKey}:
 * measured by bench's CalibrateCostModel (median over a layer set, and per calibrated layer in
 * {@link CalibratedLayers}) and shipped beside this class, one table per {@link CpuKind}: the
 * same strategy reaches different fractions of peak with AVX-512's blocks and with AVX2's, and
 * on Zen 4's half-width pipes than on a Xeon's. A strategy nobody calibrated gets
 * {@link #UNCALIBRATED}, low enough that a measured strategy is preferred.
 */
public final class Efficiencies {

    public static final double UNCALIBRATED = 0.05;

    private final Map<String, Double> byKey;
    private final CalibratedLayers layers;

    public Efficiencies(Map<String, Double> byKey) {
        this(byKey, CalibratedLayers.NONE);
    }

    public Efficiencies(Map<String, Double> byKey, CalibratedLayers layers) {
        this.byKey = Map.copyOf(byKey);
        this.layers = layers;
    }

    /** The table measured on this kind of CPU, the one named by {@code table} (a {@link CpuKind#efficiencyTable}) where there is one. */
    public static Efficiencies calibrated(String table) {
        Properties p = new Properties();
        String name = Efficiencies.class.getResource(table) != null ? table : CpuKind.AVX512.efficiencyTable();
        try (InputStream in = Efficiencies.class.getResourceAsStream(name)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the cost model's efficiencies", e);
        }
        Map<String, Double> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) m.put(k, Double.parseDouble(p.getProperty(k)));
        return new Efficiencies(m, CalibratedLayers.load(CalibratedLayers.resourceFor(name)));
    }

    public double get(String key) {
        return byKey.getOrDefault(key, UNCALIBRATED);
    }

    /**
     * The efficiency on {@code threads} cores: two or more read the key measured on two
     * ({@code key@2}), where there is one, else the one-core key. Strategies scale differently:
     * Winograd's small-layer GEMMs stream their transformed weights and gained 1.26x from a
     * second core on ResNet-18's 512-channel layers, direct-nchwc 1.8x.
     */
    public double get(String key, int threads) {
        if (threads > 1) {
            Double two = byKey.get(key + "@2");
            if (two != null) return two;
        }
        return get(key);
    }

    /** The efficiency on {@code g}: that of the calibrated layers near it ({@link CalibratedLayers}), else the median over all. */
    public double get(String key, ConvGeometry g, int threads) {
        return layers.near(key, g, threads).orElseGet(() -> get(key, threads));
    }

    public Map<String, Double> asMap() {
        return byKey;
    }
}
