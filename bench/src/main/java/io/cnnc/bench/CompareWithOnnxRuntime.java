package io.cnnc.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.InterleavedLatency;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.onnx.OnnxExporter;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Times cnnc's compiled CPU code and ONNX Runtime (Java API, optimization level ALL) side by
 * side in one process on the same layers and networks with the same random weights, batch 1,
 * for each thread count; checks both agree; writes a Markdown table and a PNG chart.
 * Usage: {@code CompareWithOnnxRuntime OUT_DIR [threads,...] [seconds per measurement]}.
 */
public final class CompareWithOnnxRuntime {

    static final Map<String, String> LAYERS = new LinkedHashMap<>();

    static {
        LAYERS.put("3x3 64->64 @56", layer(64, 56, "conv(64, 3, pad=1, bias=false)"));
        LAYERS.put("3x3 256->256 @14", layer(256, 14, "conv(256, 3, pad=1, bias=false)"));
        LAYERS.put("3x3 128->128 @28", layer(128, 28, "conv(128, 3, pad=1, bias=false)"));
        LAYERS.put("3x3 512->512 @7", layer(512, 7, "conv(512, 3, pad=1, bias=false)"));
        LAYERS.put("3x3 s2 64->128 @56", layer(64, 56, "conv(128, 3, stride=2, pad=1, bias=false)"));
        LAYERS.put("1x1 256->64 @56", layer(256, 56, "conv(64, 1, bias=false)"));
        LAYERS.put("dw 3x3 144 @56", layer(144, 56, "dwconv(3, pad=1, bias=false)"));
        LAYERS.put("7x7 s2 3->64 @224", layer(3, 224, "conv(64, 7, stride=2, pad=3, bias=false)"));
    }

    static final List<String[]> NETWORKS = List.of(
            new String[] {"LeNet-5", "examples/lenet5.cnn"},
            new String[] {"ResNet-20", "examples/resnet20_cifar.cnn"},
            new String[] {"MobileNetV2", "examples/mobilenet_v2.cnn"},
            new String[] {"ResNet-18", "examples/resnet18.cnn"},
            new String[] {"ResNet-50", "examples/resnet50.cnn"},
            new String[] {"EfficientNet-B0", "examples/efficientnet_b0.cnn"});

    private static String layer(int c, int hw, String op) {
        return "network L { input x: [" + c + ", " + hw + ", " + hw + "]\n " + op + " }";
    }

    private static String choice = "";

    /** One case on one thread count; {@code ratio}: the median over alternating rounds of cnnc's time over ORT's. */
    record Row(String name, int threads, double gflop, double cnncMs, double ortMs, double ratio, double maxDiff, String strategies,
               double cnncCores, double ortCores) {

        String tsv() {
            return String.join("\t", name, Integer.toString(threads), Double.toString(gflop), Double.toString(cnncMs), Double.toString(ortMs),
                    Double.toString(ratio), Double.toString(maxDiff), strategies, Double.toString(cnncCores), Double.toString(ortCores));
        }

        static Row parse(String line) {
            String[] f = line.split("\t");
            return new Row(f[0], Integer.parseInt(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]), Double.parseDouble(f[6]), f[7], Double.parseDouble(f[8]), Double.parseDouble(f[9]));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--list")) {
            LAYERS.keySet().forEach(System.out::println);
            NETWORKS.forEach(n -> System.out.println(n[0]));
            return;
        }
        Path out = Path.of(args.length > 0 ? args[0] : "bench/reports");
        int[] threadCounts = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 2};
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 1.5;
        // "tune" (default): strategies measured on this machine, as `cnnc compile --tune` does;
        // "model": the cost model alone.
        boolean tune = args.length <= 3 || args[3].equals("tune");
        choice = tune ? "strategies measured per layer (--tune)" : "strategies from the cost model (no --tune)";
        Path tuningCache = out.resolve("tuning.properties");
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        Map<String, Graph> cases = new LinkedHashMap<>();
        for (var e : LAYERS.entrySet()) cases.put(e.getKey(), Compiler.compile(new SourceFile(e.getKey(), e.getValue())).networks().getFirst());
        for (String[] n : NETWORKS) cases.put(n[0], Compiler.compile(SourceFile.read(Path.of(n[1]))).networks().getFirst());
        // Optional fifth argument: only the cases whose name contains it (e.g. ResNet-18), for a
        // quick look; "=NAME" for exactly that case (run-compare.sh runs each case in its own JVM).
        if (args.length > 4) {
            String f = args[4];
            cases.keySet().removeIf(name -> f.startsWith("=") ? !name.equals(f.substring(1)) : !name.contains(f));
        }
        // -Dcnnc.compare.rows=FILE: rows of earlier runs are read from FILE, this run's appended,
        // and the report made from all of them.
        String rowsFile = System.getProperty("cnnc.compare.rows");
        if (rowsFile != null && Files.exists(Path.of(rowsFile))) {
            for (String line : Files.readAllLines(Path.of(rowsFile))) if (!line.isBlank()) rows.add(Row.parse(line));
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (var c : cases.entrySet()) {
            Graph g = c.getValue();
            Map<String, Tensor> weights = WeightInitializer.initialize(g, 1);
            Map<String, float[]> raw = new LinkedHashMap<>();
            weights.forEach((k, v) -> raw.put(k, v.data()));
            byte[] onnx = OnnxExporter.export(g, weights);
            var s = g.inputs().getFirst().shape();
            float[] x = new float[Math.toIntExact(s.size())];
            Random r = new Random(2);
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
            for (int t : threadCounts) {
                CompiledModel model = CompiledModel.compile(g, raw, new CompileOptions(1, t, tune, tuningCache, true));
                CompiledNetwork net = model.instantiate(Parallel.of(t));
                float[][] in = {x};
                float[][] outs = net.forward(in);
                float[] mine = outs[0].clone();
                double cnncMs, ortMs, ratio, cnncCores, ortCores;
                float[] theirs;
                try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                    o.setIntraOpNumThreads(t);
                    o.setInterOpNumThreads(1);
                    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                    try (OrtSession session = env.createSession(onnx, o);
                         OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, s.c(), s.h(), s.w()})) {
                        String name = session.getInputNames().iterator().next();
                        try (OrtSession.Result res = session.run(Map.of(name, xt))) {
                            FloatBuffer b = ((OnnxTensor) res.get(0)).getFloatBuffer();
                            theirs = new float[b.remaining()];
                            b.get(theirs);
                        }
                        // Into the same output arrays each run, as ORT's runs fill its own preallocated arena. The two
                        // engines take turns in rounds, so a drift of the machine's speed falls on both alike.
                        Runnable cnnc = () -> net.forward(in, outs);
                        Runnable ort = () -> {
                            try (OrtSession.Result res = session.run(Map.of(name, xt))) {
                                res.get(0);
                            } catch (OrtException e) {
                                throw new IllegalStateException(e);
                            }
                        };
                        InterleavedLatency il = InterleavedLatency.measure(List.of(cnnc, ort), 2 * seconds);
                        cnncMs = il.each().get(0).medianMs();
                        ortMs = il.each().get(1).medianMs();
                        ratio = 1 / il.ratioToFirst(1);
                        cnncCores = il.each().get(0).cores();
                        ortCores = il.each().get(1).cores();
                    }
                }
                double diff = 0;
                for (int i = 0; i < mine.length; i++) diff = Math.max(diff, Math.abs(mine[i] - theirs[i]));
                Map<String, Integer> used = new LinkedHashMap<>();
                model.choices().values().forEach(ch -> used.merge(ch.strategy(), 1, Integer::sum));
                Row row = new Row(c.getKey(), t, 2.0 * macs(g) / 1e9, cnncMs, ortMs, ratio, diff, used.toString(), cnncCores, ortCores);
                rows.add(row);
                System.out.printf(Locale.ROOT, "%-20s t=%d cnnc %.3f ms (%.1f cores)  ORT %.3f ms (%.1f cores)  ratio %.2f  max|diff| %.1e  %s%n",
                        row.name(), t, cnncMs, cnncCores, ortMs, ortCores, ratio, diff, row.strategies());
            }
        }
        if (rowsFile != null) {
            StringBuilder tsv = new StringBuilder();
            for (Row r : rows) tsv.append(r.tsv()).append('\n');
            Files.writeString(Path.of(rowsFile), tsv);
            threadCounts = rows.stream().mapToInt(Row::threads).distinct().sorted().toArray();
        }
        Files.writeString(out.resolve("cnnc-vs-onnxruntime.md"), markdown(rows, threadCounts));
        chart(rows, threadCounts, out.resolve("cnnc-vs-onnxruntime.png"));
        System.out.println("wrote " + out.resolve("cnnc-vs-onnxruntime.md") + " and .png");
    }

    static long macs(Graph g) {
        long m = 0;
        for (Node n : g.nodes()) m += n.op().macs(n.inputShapes(), n.output().shape());
        return m;
    }

    private static String markdown(List<Row> rows, int[] threadCounts) {
        Machine m = Machine.detect();
        StringBuilder sb = new StringBuilder();
        sb.append("# cnnc vs ONNX Runtime, batch 1\n\n");
        sb.append(String.format(Locale.ROOT, "CPU: %s, %d cores; peak assumed %.0f GFLOP/s per core. ONNX Runtime %s (Java, optimization level ALL). "
                + "cnnc and ONNX Runtime timed side by side in one process, same weights and input, each warmed up until steady, then in alternating rounds "
                + "(ms: medians of all runs; ratio: the median over rounds of cnnc's time over ONNX Runtime's, so the machine's drift falls on both); "
                + "each case and thread count in a JVM of its own (as JMH forks: in one long-lived JVM, the cases run before skewed later ones, "
                + "2-thread ResNet-18 by up to 35%%). Ratio = cnnc / ONNX Runtime (below 1: cnnc faster). "
                + "cnnc: %s. Made by `bench/run-compare.sh` on %s.%n%n", m.cpu(), Runtime.getRuntime().availableProcessors(), m.peakGflopsPerCore(),
                OrtEnvironment.getEnvironment().getVersion(), choice, java.time.LocalDate.now()));
        sb.append("| case | threads | GFLOP | cnnc ms | ORT ms | ratio | cnnc GFLOP/s | % of peak | max abs diff | cores busy cnnc / ORT | cnnc conv strategies |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            double gflops = r.gflop() / (r.cnncMs() / 1e3);
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.2f | %.1f | %.0f%% | %.1e | %.1f / %.1f | %s |%n", r.name(), r.threads(),
                    r.gflop(), r.cnncMs(), r.ortMs(), r.ratio(), gflops, 100 * gflops / (m.peakGflopsPerCore() * r.threads()),
                    r.maxDiff(), r.cnncCores(), r.ortCores(), r.strategies().replace("{", "").replace("}", "")));
        }
        return sb.toString();
    }

    private static void chart(List<Row> rows, int[] threadCounts, Path png) throws Exception {
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(500).title("cnnc time / ONNX Runtime time (below 1: cnnc faster)")
                .xAxisTitle("case").yAxisTitle("ratio").build();
        chart.getStyler().setXAxisLabelRotation(30);
        for (int t : threadCounts) {
            List<String> names = rows.stream().filter(r -> r.threads() == t).map(Row::name).toList();
            List<Double> ratios = rows.stream().filter(r -> r.threads() == t).map(Row::ratio).toList();
            chart.addSeries(t + " thread" + (t > 1 ? "s" : ""), names, ratios);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
