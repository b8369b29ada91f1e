package io.cnnc.bench;

import io.cnnc.compiler.schedule.CalibratedLayers;
import io.cnnc.compiler.schedule.CalibrationLayers;
import io.cnnc.compiler.schedule.CostModel;
import io.cnnc.compiler.schedule.InvertedResidualCalibration;
import io.cnnc.compiler.schedule.InvertedResidualFusion;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.Tuner;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.ConvWork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures every conv strategy on a set of layers on one core and on two (keys ending "@2"), and solves the cost model for the
 * efficiency each run implies: {@code ms = flops / (e * peak) + bytes / bandwidth}. The median
 * per strategy (grouped convolutions apart) becomes the cost model's efficiency table.
 * Usage: CalibrateCostModel OUT.properties REPORT.md, or CalibrateCostModel --add NAME... to measure only
 * the calibration layers named (new ones, say) and put their rows into the machine's layer table,
 * replacing any of theirs, the medians left as they are; the name {@code inverted-residual} measures
 * the fused block kernel and sets its two keys in the machine's table.
 */
public final class CalibrateCostModel {

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--add")) {
            List<String> names = new ArrayList<>(List.of(args).subList(1, args.length));
            boolean blocks = names.remove(InvertedResidualFusion.EFFICIENCY_KEY);
            if (!names.isEmpty()) add(names);
            if (blocks) addBlocks();
            return;
        }
        Machine m = Machine.detect();
        Path out = args.length > 0 ? Path.of(args[0]) : TABLES.resolve(m.efficiencyTable());
        Path report = Path.of(args.length > 1 ? args[1] : "bench/reports/cost-model-calibration" + m.efficiencyTable().replaceAll("^efficiency|\\.properties$", "") + ".md");
        Map<String, List<Double>> byKey = new TreeMap<>();
        StringBuilder layers = new StringBuilder("# Efficiency per strategy key and calibrated layer (threads 2: two or more), written by\n"
                + "# bench/run-calibrate.sh (CalibrateCostModel) on " + m.cpu() + "; read by CalibratedLayers.\n" + CalibratedLayers.HEADER + "\n");
        StringBuilder md = new StringBuilder();
        md.append("# Cost model calibration\n\n");
        md.append(String.format(Locale.ROOT, "CPU: %s; 1 and 2 threads; peak %.0f GFLOP/s, bandwidth %.0f GB/s on 1 thread. Efficiency e solves "
                + "`ms = flops / (e * peak) + bytes / bandwidth` for each measured run (median of Tuner's runs, each "
                + "finding the layer's weights out of the caches and its input, output and scratch where the last run left them, "
                + "as in a network whose weights outgrow the caches; strategies within 1.3x of a layer's fastest timed twice, the faster kept). "
                + "Made by `bench/run-calibrate.sh`.%n%n", m.cpu(), m.peakGflopsPerCore(), m.bandwidth(1) / 1e9));
        md.append("| layer | strategy | threads | ms | model GFLOP | effective GFLOP/s | efficiency |\n|---|---|---:|---:|---:|---:|---:|\n");
        int[] threadCounts = threadCounts();
        for (int threads : threadCounts) {
            Parallel parallel = Parallel.of(threads);
            for (CalibrationLayers.Layer l : CalibrationLayers.all()) {
                Map<String, Double> measured = measure(l.g(), parallel);
                for (ConvStrategy s : ConvStrategies.candidates(l.g())) {
                    double ms = measured.get(s.name());
                    ConvWork w = s.work(l.g(), threads);
                    double e = CostModel.efficiencyOf(m, w, ms, threads);
                    String key = s.efficiencyKey(l.g());
                    byKey.computeIfAbsent(threadKey(key, threads), k -> new ArrayList<>()).add(e);
                    layers.append(CalibratedLayers.Row.of(key, l.g(), threads, e).tsv()).append('\n');
                    md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f | %.1f | %.3f |%n", l.name(), s.name(), threads, ms,
                            w.flops() / 1e9, w.flops() / 1e6 / ms, e));
                    System.out.printf(Locale.ROOT, "%-22s %-14s t=%d %8.3f ms  e=%.3f%n", l.name(), s.name(), threads, ms, e);
                }
            }
        }
        // The fused inverted residual kernel, alone and warm as the quick calibration times it (not a conv strategy).
        for (int threads : threadCounts) {
            for (var b : InvertedResidualCalibration.time(threads)) {
                double e = b.efficiency(m);
                byKey.computeIfAbsent(threadKey(InvertedResidualFusion.EFFICIENCY_KEY, threads), k -> new ArrayList<>()).add(e);
                md.append(String.format(Locale.ROOT, "| inverted residual block | %s | %d | %.3f | %.3f | %.1f | %.3f |%n", InvertedResidualFusion.EFFICIENCY_KEY,
                        threads, b.ms(), b.work().flops() / 1e9, b.work().flops() / 1e6 / b.ms(), e));
            }
        }
        StringBuilder props = new StringBuilder("# Fraction of peak per conv strategy (median over bench's layer set; 1 thread, and 2 for the @2 keys),\n"
                + "# written by bench/run-calibrate.sh (CalibrateCostModel) on " + m.cpu() + ".\n");
        md.append("\n| key | median efficiency | layers |\n|---|---:|---:|\n");
        byKey.forEach((k, v) -> {
            double med = CostModel.median(v);
            props.append(String.format(Locale.ROOT, "%s=%.3f%n", k, med));
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %d |%n", k, med, v.size()));
        });
        Path layerTable = out.resolveSibling(CalibratedLayers.resourceFor(out.getFileName().toString()));
        write(out, props.toString());
        write(layerTable, layers.toString());
        write(report, md.toString());
        System.out.println("wrote " + out + ", " + layerTable + " and " + report);
    }

    /** The named layers measured as the full calibration measures them, their rows written into the shipped layer table. */
    private static void add(List<String> names) throws IOException {
        Machine m = Machine.shipped();
        Path table = TABLES.resolve(CalibratedLayers.resourceFor(m.efficiencyTable()));
        List<CalibrationLayers.Layer> layers = CalibrationLayers.all().stream().filter(l -> names.contains(l.name())).toList();
        if (layers.size() != names.size()) throw new IllegalArgumentException("not calibration layers: " + names);
        List<CalibratedLayers.Row> rows = new ArrayList<>();
        for (int threads : threadCounts()) {
            for (CalibrationLayers.Layer l : layers) {
                Map<String, Double> measured = measure(l.g(), Parallel.of(threads));
                for (ConvStrategy s : ConvStrategies.candidates(l.g())) {
                    double e = CostModel.efficiencyOf(m, s.work(l.g(), threads), measured.get(s.name()), threads);
                    rows.add(CalibratedLayers.Row.of(s.efficiencyKey(l.g()), l.g(), threads, e));
                    System.out.printf(Locale.ROOT, "%-22s %-14s t=%d %8.3f ms  e=%.3f%n", l.name(), s.name(), threads, measured.get(s.name()), e);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(table)) {
            boolean replaced = !line.isBlank() && !line.startsWith("#") && rows.stream().anyMatch(r -> sameLayer(r, CalibratedLayers.Row.parse(line)));
            if (!replaced) out.append(line).append('\n');
        }
        for (CalibratedLayers.Row r : rows) out.append(r.tsv()).append('\n');
        write(table, out.toString());
        System.out.println("wrote " + rows.size() + " rows into " + table);
    }

    /** The fused inverted residual kernel's keys, measured as the full calibration measures them, set in the shipped table. */
    private static void addBlocks() throws IOException {
        Machine m = Machine.shipped();
        Path table = TABLES.resolve(m.efficiencyTable());
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (int threads : threadCounts()) {
            List<Double> e = new ArrayList<>();
            for (var b : InvertedResidualCalibration.time(threads)) e.add(b.efficiency(m));
            String key = threadKey(InvertedResidualFusion.EFFICIENCY_KEY, threads);
            keys.put(key, String.format(Locale.ROOT, "%.3f", CostModel.median(e)));
            System.out.printf(Locale.ROOT, "%s=%s (blocks: %s)%n", key, keys.get(key), e);
        }
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(table)) {
            String key = line.contains("=") && !line.startsWith("#") ? line.substring(0, line.indexOf('=')) : null;
            if (key == null || !keys.containsKey(key)) out.append(line).append('\n');
        }
        keys.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        write(table, out.toString());
        System.out.println("wrote " + keys.keySet() + " into " + table);
    }

    /** The shipped tables, from the checkout root. */
    private static final Path TABLES = Path.of("compiler/src/main/resources/io/cnnc/compiler/schedule");

    /** One core, then two where there are (keys "@2"): how far a strategy scales is measured, not assumed. */
    private static int[] threadCounts() {
        return Runtime.getRuntime().availableProcessors() >= 2 ? new int[] {1, 2} : new int[] {1};
    }

    /** A table key as measured on {@code threads}: two or more read the "@2" key. */
    private static String threadKey(String key, int threads) {
        return threads > 1 ? key + "@2" : key;
    }

    private static boolean sameLayer(CalibratedLayers.Row a, CalibratedLayers.Row b) {
        return a.key().equals(b.key()) && a.threads() == b.threads() && a.inC() == b.inC() && a.outC() == b.outC() && a.outPixels() == b.outPixels()
                && a.kernelH() == b.kernelH() && a.kernelW() == b.kernelW() && a.stride() == b.stride();
    }

    /**
     * Every candidate's time on g; those within {@link #CONTENDER} of the fastest are timed again
     * in the reverse order and keep the faster of their two times: a drift of the shared
     * machine's speed slows whatever runs in it, so the faster of two passes apart in time is
     * nearer the strategy's own speed; the second pass is spent only where it can change a choice.
     */
    private static Map<String, Double> measure(ConvGeometry g, Parallel parallel) {
        List<ConvStrategy> candidates = ConvStrategies.candidates(g);
        Map<String, Double> ms = new java.util.LinkedHashMap<>();
        for (ConvStrategy s : candidates) ms.put(s.name(), Tuner.measureColdMs(s, g, parallel));
        double best = java.util.Collections.min(ms.values());
        for (ConvStrategy s : candidates.reversed()) {
            if (ms.get(s.name()) <= CONTENDER * best) ms.merge(s.name(), Tuner.measureColdMs(s, g, parallel), Math::min);
        }
        return ms;
    }

    /** How much slower than the fastest a strategy may be and still be timed twice. */
    private static final double CONTENDER = 1.3;

    private static void write(Path p, String text) throws IOException {
        if (p.getParent() != null) Files.createDirectories(p.getParent());
        Path tmp = Files.createTempFile(p.toAbsolutePath().getParent(), p.getFileName().toString(), ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
