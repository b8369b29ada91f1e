package io.cnnc.bench;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Each conv strategy forced on every layer that has it, timed inside the whole network: a
 * matrix of per-layer milliseconds (layer x strategy), to compare with what the tuner measures
 * on each layer alone. Usage: ProfileStrategies FILE.cnn [threads] [seconds]
 */
public final class ProfileStrategies {

    private static java.util.List<String> names() {
        return ConvStrategies.all().stream().map(c -> c.name()).toList();
    }

    public static void main(String[] args) throws Exception {
        Graph g = Compiler.compile(SourceFile.read(Path.of(args[0]))).networks().getFirst();
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 2;
        Map<String, float[]> raw = new LinkedHashMap<>();
        WeightInitializer.initialize(g, 1).forEach((k, v) -> raw.put(k, v.data()));
        var s = g.inputs().getFirst().shape();
        float[] x = new float[Math.toIntExact(s.size())];
        Random r = new Random(2);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        float[][] in = {x};
        Map<String, Map<String, Double>> table = new LinkedHashMap<>();
        for (String strategy : names()) {
            CompileOptions o = new CompileOptions(1, threads, false, null, true, Set.of(strategy));
            CompiledModel model = CompiledModel.compile(g, raw, o);
            ProfiledNetwork net = model.instantiateProfiled(Parallel.of(threads));
            long end = System.nanoTime() + (long) (seconds * 1e9);
            float[][] out = net.forward(in);
            while (System.nanoTime() < end) net.forward(in, out);
            ProfiledNetwork.Profile profile = net.profile(in, out, (long) (seconds * 1e9), 5);
            System.out.printf(Locale.ROOT, "%s: network %.3f ms%n", strategy, profile.totalMs());
            String[] names = net.layerNames();
            Map<String, String> chosen = new LinkedHashMap<>();
            for (Node n : model.choices().keySet()) chosen.put(n.name(), model.choices().get(n).strategy());
            for (int i = 0; i < names.length; i++) {
                if (!strategy.equals(chosen.get(names[i]))) continue;
                table.computeIfAbsent(names[i], k -> new LinkedHashMap<>()).put(strategy, profile.layerMs()[i]);
            }
        }
        System.out.printf(Locale.ROOT, "%-24s", "layer");
        for (String st : names()) System.out.printf(Locale.ROOT, " %13s", st);
        System.out.println();
        table.forEach((layer, row) -> {
            System.out.printf(Locale.ROOT, "%-24s", layer);
            for (String st : names()) {
                Double ms = row.get(st);
                System.out.printf(Locale.ROOT, " %13s", ms == null ? "-" : String.format(Locale.ROOT, "%.3f", ms));
            }
            System.out.println();
        });
    }
}
