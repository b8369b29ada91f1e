package io.cnnc.runtime.train;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.CpuKind;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.TuningCache;
import io.cnnc.compiler.train.TrainingConvStrategies;
import io.cnnc.compiler.train.TrainingConvStrategies.Directions;
import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.runtime.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code --tune} for training: each convolution's forward and data gradient timed on its
 * cost model's best few candidates inside whole training steps, and the fastest kept. Timing a
 * candidate alone on a slice misled (docs/training.md: two threads running Winograd side by side,
 * and the layers around them, do not behave as one layer alone), so every layer switches
 * candidates together, round after round, and each round's steps time every layer at once. The
 * times go into the tuning cache, keyed by CPU, threads, batch, direction, geometry and strategy;
 * a network whose candidates are all cached is not measured again.
 */
public final class TrainingTuner {

    /** Candidates per direction: the cost model's best three. */
    private static final int CANDIDATES = 3;
    private static final int WARM_STEPS = 2;
    private static final int MEASURED_STEPS = 3;

    private TrainingTuner() {}

    /** The tuned choices for training {@code graph} at {@code batch} on {@code threads}, among the strategies {@code wanted} keeps. */
    public static Map<Node, Directions> tune(Graph graph, Map<String, Tensor> params, Set<String> frozen, int batch, int threads,
                                             Predicate<String> wanted, TuningCache cache, java.io.PrintWriter log) {
        TrainingPlan plan = TrainingPlan.derive(graph, frozen);
        Map<Node, Directions> model = TrainingConvStrategies.choose(plan, Machine.detect(), threads, wanted);
        Map<Node, List<String>> forward = new LinkedHashMap<>();
        Map<Node, List<String>> data = new LinkedHashMap<>();
        model.forEach((n, d) -> {
            forward.put(n, best(d.forward()));
            if (d.data() != null) data.put(n, best(d.data()));
        });
        String prefix = "train/" + CpuKind.detect() + "/t" + threads + "/b" + batch + "/";
        Map<String, Double> times = new HashMap<>();
        boolean cached = true;
        for (var e : forward.entrySet()) cached &= lookUp(cache, prefix, "forward", geo(model.get(e.getKey()).forwardGeometry()), e.getValue(), times);
        for (var e : data.entrySet()) cached &= lookUp(cache, prefix, "data", geo(model.get(e.getKey()).dataGeometry()), e.getValue(), times);
        if (!cached) {
            // On a copy: the tuning steps move batch norm's running statistics.
            Map<String, Tensor> copy = new HashMap<>();
            params.forEach((k, v) -> copy.put(k, Tensor.of(v.data().clone(), v.shape())));
            measure(graph, copy, frozen, batch, model, forward, data, prefix, times, log);
            times.forEach(cache::put);
            try {
                cache.save();
            } catch (java.io.IOException e) {
                log.println("note: the tuning cache could not be written (" + e.getMessage() + "); the times are used for this run only");
            }
        }
        Map<Node, Directions> out = new LinkedHashMap<>();
        model.forEach((n, d) -> {
            Choice f = pick(d.forward(), forward.get(n), prefix + "forward/" + geo(d.forwardGeometry()) + "/", times);
            Choice dc = d.data() == null ? null : pick(d.data(), data.get(n), prefix + "data/" + geo(d.dataGeometry()) + "/", times);
            out.put(n, new Directions(d.forwardGeometry(), f, d.dataNeeded(), d.dataGeometry(), dc, d.weight(), d.phases(), d.phaseChoices(), d.depthwiseData()));
        });
        return out;
    }

    private static List<String> best(Choice c) {
        return c.expectedMs().entrySet().stream().sorted(Map.Entry.comparingByValue()).limit(CANDIDATES).map(Map.Entry::getKey).toList();
    }

    private static boolean lookUp(TuningCache cache, String prefix, String direction, String geometry, List<String> names, Map<String, Double> times) {
        boolean all = true;
        for (String s : names) {
            String key = prefix + direction + "/" + geometry + "/" + s;
            Double ms = cache.get(key);
            if (ms == null) all = false;
            else times.put(key, ms);
        }
        return all;
    }

    /**
     * Rounds 0..k-1 and back again: in round r every layer runs its r-th candidate (its last where
     * it has fewer); after warm steps, each layer's time per step is taken from the runners' own
     * clocks. A candidate's time is the least over its rounds.
     */
    private static void measure(Graph graph, Map<String, Tensor> params, Set<String> frozen, int batch, Map<Node, Directions> model,
                                Map<Node, List<String>> forward, Map<Node, List<String>> data, String prefix, Map<String, Double> times,
                                java.io.PrintWriter log) {
        SyntheticBatch b = SyntheticBatch.of(graph, batch, 0);
        float[] x = b.images();
        int[] labels = b.labels();
        int classes = b.classes();
        List<Integer> rounds = new ArrayList<>();
        for (int r = 0; r < CANDIDATES; r++) rounds.add(r);
        for (int r = CANDIDATES - 1; r >= 0; r--) rounds.add(r);
        long started = System.nanoTime();
        for (int r : rounds) {
            Map<Node, Directions> round = new LinkedHashMap<>();
            model.forEach((n, d) -> round.put(n, new Directions(d.forwardGeometry(), d.forward().with(nth(forward.get(n), r), "tuning", Map.of()),
                    d.dataNeeded(), d.dataGeometry(), d.data() == null ? null : d.data().with(nth(data.get(n), r), "tuning", Map.of()), d.weight(),
                    d.phases(), d.phaseChoices(), d.depthwiseData())));
            GraphTrainer trainer = new GraphTrainer(graph, params, 0, frozen, round);
            ClassifierStep step = new ClassifierStep(trainer, null, null, classes, 0);
            for (int s = 0; s < WARM_STEPS; s++) step.run(x, labels, batch, 0, null);
            Map<Node, long[]> before = trainer.convNanos();
            for (int s = 0; s < MEASURED_STEPS; s++) step.run(x, labels, batch, 0, null);
            Map<Node, long[]> after = trainer.convNanos();
            round.forEach((n, d) -> {
                record(times, prefix + "forward/" + geo(d.forwardGeometry()) + "/" + d.forward().strategy(), after.get(n)[0] - before.get(n)[0]);
                if (d.data() != null) record(times, prefix + "data/" + geo(d.dataGeometry()) + "/" + d.data().strategy(), after.get(n)[1] - before.get(n)[1]);
            });
        }
        log.printf(Locale.ROOT, "tuned %d convolutions in training steps (%d rounds, %.1f s)%n", model.size(), rounds.size(),
                (System.nanoTime() - started) / 1e9);
    }

    /** A geometry's fields in order, comma-separated: a cache key without the record's names and spaces. */
    private static String geo(io.cnnc.kernels.ConvGeometry g) {
        return g.toString().replaceAll("[^0-9,]", "");
    }

    private static String nth(List<String> names, int r) {
        return names.get(Math.min(r, names.size() - 1));
    }

    private static void record(Map<String, Double> times, String key, long nanos) {
        double ms = nanos / 1e6 / MEASURED_STEPS;
        times.merge(key, ms, Math::min);
    }

    /** The fastest measured candidate, its reason naming the others' times. */
    private static Choice pick(Choice model, List<String> names, String keyPrefix, Map<String, Double> times) {
        Map<String, Double> measured = new LinkedHashMap<>();
        for (String s : names) measured.put(s, times.get(keyPrefix + s));
        String best = names.stream().min((a, b) -> Double.compare(measured.get(a), measured.get(b))).orElseThrow();
        StringBuilder why = new StringBuilder(String.format(Locale.ROOT, "measured in training steps: %.3f ms a step", measured.get(best)));
        for (String s : names) if (!s.equals(best)) why.append(String.format(Locale.ROOT, ", %s %.3f", s, measured.get(s)));
        return model.with(best, why.toString(), measured);
    }
}
