package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The efficiency each strategy reached on each layer of the calibration set, for layers near
 * one of them. One median per strategy cannot follow layer sizes: in the first Zen 4 calibration
 * direct reached 0.61 of peak on two cores over the set but 0.48 on the 1x1 256->64 @56, where
 * gemm-1x1 reached 0.52, and the median picked direct (2.0x ONNX Runtime's time, against 1.1 for gemm-1x1). A
 * layer takes the distance-weighted mean of the calibrated layers with its kernel, stride and
 * thread class whose channels and pixels are within a factor 4 all told ({@link #NEAR}); a layer
 * near none of them keeps the median.
 */
public final class CalibratedLayers {

    /** Largest distance, in summed |log2| ratios of inC, outC and output pixels, that counts as near. */
    static final double NEAR = 2.0;

    /** One measured (strategy key, layer, threads): threads is 1 or 2 (two stands for two or more). */
    public record Row(String key, int threads, int inC, int outC, int outPixels, int kernelH, int kernelW, int stride, double efficiency) {

        /** The row of strategy key {@code key} measured on {@code g} with {@code threads}. */
        public static Row of(String key, ConvGeometry g, int threads, double efficiency) {
            return new Row(key, Math.min(threads, 2), g.inC(), g.outC(), g.outH() * g.outW(), g.kernelH(), g.kernelW(), g.strideH(), efficiency);
        }

        public String tsv() {
            return String.format(Locale.ROOT, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.3f", key, threads, inC, outC, outPixels, kernelH, kernelW, stride, efficiency);
        }

        public static Row parse(String line) {
            String[] f = line.split("\t");
            return new Row(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                    Integer.parseInt(f[5]), Integer.parseInt(f[6]), Integer.parseInt(f[7]), Double.parseDouble(f[8]));
        }
    }

    public static final CalibratedLayers NONE = new CalibratedLayers(List.of());

    /** The column header of the table file. */
    public static final String HEADER = "# key\tthreads\tinC\toutC\toutPixels\tkernelH\tkernelW\tstride\tefficiency";

    private final List<Row> rows;

    public CalibratedLayers(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** The efficiency near {@code g}, or empty where no calibrated layer is near it. */
    public OptionalDouble near(String key, ConvGeometry g, int threads) {
        if (g.dilationH() != 1 || g.dilationW() != 1) return OptionalDouble.empty();
        Row probe = Row.of(key, g, threads, 0);
        double weighted = 0, weights = 0;
        for (Row r : rows) {
            if (!r.key.equals(key) || r.threads != probe.threads || r.kernelH != probe.kernelH || r.kernelW != probe.kernelW || r.stride != probe.stride) continue;
            double d = Math.abs(log2(r.inC, probe.inC)) + Math.abs(log2(r.outC, probe.outC)) + Math.abs(log2(r.outPixels, probe.outPixels));
            if (d > NEAR) continue;
            double w = 1 / (d + 0.25);
            weighted += w * r.efficiency;
            weights += w;
        }
        return weights == 0 ? OptionalDouble.empty() : OptionalDouble.of(weighted / weights);
    }

    private static double log2(int a, int b) {
        return Math.log((double) a / b) / Math.log(2);
    }

    /** The table resource beside an efficiency table: {@code efficiency-zen4.properties} has {@code efficiency-zen4.layers.tsv}. */
    public static String resourceFor(String efficiencyTable) {
        return efficiencyTable.replaceAll("\\.properties$", "") + ".layers.tsv";
    }

    static CalibratedLayers load(String resource) {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = CalibratedLayers.class.getResourceAsStream(resource)) {
            if (in == null) return NONE;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank() && !line.startsWith("#")) rows.add(Row.parse(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the cost model's calibrated layers " + resource, e);
        }
        return new CalibratedLayers(rows);
    }
}
