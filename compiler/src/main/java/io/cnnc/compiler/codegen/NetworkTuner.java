package io.cnnc.compiler.codegen;

import com.squareup.javapoet.JavaFile;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.plan.MemoryPlan;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.LayoutChoice;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.TuningCache;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import io.cnnc.kernels.cpu.SteadyState;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code --tune}: every candidate strategy timed where it will run, inside the whole network.
 * For each strategy, the network is generated with that strategy on every conv that has it (the
 * cost model's choice elsewhere) and a clock around every layer ({@link ProfiledNetwork}), warmed
 * up and run, the variants in turns (see {@link #timeInterleaved}); each conv then takes the
 * strategy with the lowest median time measured at its place.
 *
 * <p>Why not time each layer alone: alone, a layer's weights stay in the last-level cache from
 * one call to the next; in a network whose weights outgrow that cache they come from memory
 * every pass. Winograd's transformed weights are 1.8x (F23) to 4x (F43) the raw ones, so a layer
 * that Winograd wins alone can lose in the network (docs/compiler.md, "--tune").
 *
 * <p>Times are cached by network (a hash of its optimized graph), CPU, threads and batch, per
 * layer and strategy; a compile that finds them all measures nothing.
 */
final class NetworkTuner {

    private static final long WARM_UP_NANOS = 1_000_000_000L;
    private static final int ROUNDS = 7;
    private static final long ROUND_NANOS = 150_000_000L;
    private static final long MAX_EXTRA_WARM_UP_NANOS = 5_000_000_000L;

    private NetworkTuner() {}

    static Map<Node, Choice> tune(Graph optimized, Map<Node, Choice> modelChoices, Map<String, float[]> folded, CompileOptions options,
                                  Machine machine, TuningCache cache, String className) {
        String prefix = keyPrefix(optimized, machine, options);
        Map<String, Map<String, Double>> measured = new LinkedHashMap<>();
        List<String> toRun = new ArrayList<>();
        for (ConvStrategy s : ConvStrategies.all()) {
            boolean missing = false;
            for (var e : modelChoices.entrySet()) {
                if (!e.getValue().expectedMs().containsKey(s.name())) continue;
                Double ms = cache.get(prefix + e.getKey().name() + "|" + s.name());
                if (ms == null) missing = true;
                else if (Double.isFinite(ms)) measured.computeIfAbsent(e.getKey().name(), k -> new LinkedHashMap<>()).put(s.name(), ms);
            }
            if (missing) toRun.add(s.name());
        }
        List<Variant> variants = new ArrayList<>();
        for (String strategy : toRun) {
            variants.add(Variant.of(optimized, modelChoices, strategy, folded, options, className + "Tune" + toRun.indexOf(strategy)));
        }
        timeInterleaved(variants, options.batch());
        for (Variant v : variants) {
            String strategy = v.strategy;
            for (var e : modelChoices.entrySet()) {
                String layer = e.getKey().name();
                if (!e.getValue().expectedMs().containsKey(strategy)) continue;
                // Not timed: the layout pass kept the layer planar (a blocked strategy not worth its
                // reorders there). Infinity in the cache says so, and the next compile need not try again.
                Double ms = v.medianMs.getOrDefault(layer, Double.POSITIVE_INFINITY);
                cache.put(prefix + layer + "|" + strategy, ms);
                if (Double.isFinite(ms)) measured.computeIfAbsent(layer, k -> new LinkedHashMap<>()).put(strategy, ms);
            }
        }
        Map<Node, Choice> out = new LinkedHashMap<>();
        modelChoices.forEach((n, c) -> {
            Map<String, Double> m = measured.getOrDefault(n.name(), Map.of());
            if (m.isEmpty()) {
                out.put(n, c);
                return;
            }
            String best = m.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
            // Measured on the network's threads: a layer the model would run alone is timed shared out.
            out.put(n, new Choice(best, options.threads(), "fastest of " + m.size() + " measured in the network", c.expectedMs(), m));
        });
        return out;
    }

    /** The network with {@code strategy} forced on every conv that has it, and the per-layer times measured for those convs. */
    private static final class Variant {
        final String strategy;
        final ProfiledNetwork net;
        final float[][] inputs, outputs;
        /** Layer index in {@link #net} of each conv that runs the strategy, by layer name. */
        final Map<String, Integer> timed = new LinkedHashMap<>();
        final Map<String, Double> medianMs = new HashMap<>();

        private Variant(String strategy, ProfiledNetwork net, float[][] inputs) {
            this.strategy = strategy;
            this.net = net;
            this.inputs = inputs;
            this.outputs = net.forward(inputs);
        }

        static Variant of(Graph optimized, Map<Node, Choice> modelChoices, String strategy, Map<String, float[]> folded, CompileOptions options,
                          String className) {
            Map<Node, Choice> forced = new LinkedHashMap<>();
            modelChoices.forEach((n, c) -> forced.put(n, c.expectedMs().containsKey(strategy)
                    ? new Choice(strategy, options.threads(), "tuning", c.expectedMs(), Map.of()) : c));
            LayoutChoice.Result laid = LayoutChoice.apply(optimized, forced, options.batch());
            JavaFile file = new ModelSourceGenerator(laid.graph(), laid.choices(), MemoryPlan.of(laid.graph()), options.batch(), className, true).generate();
            ProfiledNetwork net = (ProfiledNetwork) CompiledModel.load(file, folded, Parallel.of(options.threads()));
            Variant v = new Variant(strategy, net, randomInputs(optimized, options.batch()));
            String[] names = net.layerNames();
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.length; i++) index.put(names[i], i);
            laid.choices().forEach((n, c) -> {
                Integer i = index.get(n.name());
                if (i != null && c.strategy().equals(strategy)) v.timed.put(n.name(), i);
            });
            return v;
        }
    }

    /**
     * Warms every variant up, then times them in turns, one round each per turn, and keeps each
     * layer's median round, so that a slow stretch of a shared machine falls on every variant
     * alike rather than on some strategies only (docs/compiler.md, "--tune").
     */
    private static void timeInterleaved(List<Variant> variants, int batch) {
        for (Variant v : variants) {
            // C2 compiles a strategy first met in this JVM late when the tuned network keeps both cores busy.
            SteadyState.reach(() -> v.net.forward(v.inputs, v.outputs), WARM_UP_NANOS, WARM_UP_NANOS + MAX_EXTRA_WARM_UP_NANOS);
        }
        List<double[][]> rounds = new ArrayList<>();
        for (Variant v : variants) rounds.add(new double[v.net.layerNames().length][ROUNDS]);
        for (int r = 0; r < ROUNDS; r++) {
            for (int k = 0; k < variants.size(); k++) {
                Variant v = variants.get(k);
                // One untimed pass first: the variant before evicted this one's weights and scratch.
                v.net.forward(v.inputs, v.outputs);
                double[] layerMs = v.net.profile(v.inputs, v.outputs, ROUND_NANOS, 2).layerMs();
                for (int i = 0; i < layerMs.length; i++) rounds.get(k)[i][r] = layerMs[i];
            }
        }
        for (int k = 0; k < variants.size(); k++) {
            Variant v = variants.get(k);
            double[][] times = rounds.get(k);
            v.timed.forEach((layer, i) -> {
                double[] sorted = times[i].clone();
                Arrays.sort(sorted);
                // The median round: a round the other core's work slowed down does not count.
                v.medianMs.put(layer, sorted[ROUNDS / 2] / batch);
            });
        }
    }

    private static float[][] randomInputs(Graph g, int batch) {
        Random r = new Random(3);
        float[][] in = new float[g.inputs().size()][];
        for (int i = 0; i < in.length; i++) {
            in[i] = new float[Math.toIntExact(batch * g.inputs().get(i).shape().size())];
            for (int j = 0; j < in[i].length; j++) in[i][j] = r.nextFloat() * 2 - 1;
        }
        return in;
    }

    /** CPU, threads, batch and a hash of the optimized graph (names, ops, shapes): whatever changes the times. */
    private static String keyPrefix(Graph g, Machine machine, CompileOptions options) {
        StringBuilder sb = new StringBuilder();
        for (Node n : g.nodes()) sb.append(n.name()).append(' ').append(n.op()).append(' ').append(n.inputShapes()).append(' ').append(n.output().shape()).append('\n');
        String hash;
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            hash = HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return (machine.cpu() + "|t" + options.threads() + "|b" + options.batch() + "|net/" + g.name() + "/" + hash + "|").replace(' ', '_');
    }
}
