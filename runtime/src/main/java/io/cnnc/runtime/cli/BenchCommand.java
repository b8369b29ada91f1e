package io.cnnc.runtime.cli;

import io.cnnc.compiler.analysis.ModelSummary;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.target.cpu.CpuTarget;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.InterleavedLatency;
import io.cnnc.kernels.cpu.Latency;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time a network's compiled CPU code on this machine: steady-state latency (median and spread), throughput, "
                + "GFLOP/s and %% of FP32 peak, the strategies chosen; with --profile, every layer's time inside the network.")
final class BenchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Mixin
    NetworkOption network;

    @Mixin
    WeightsOption weights;

    @Mixin
    ChoiceOptions choice;

    @Option(names = "--threads", split = ",", paramLabel = "N",
            description = "cores to run on (default: all); several (--threads 1,2) are timed in alternating rounds and compared pair by pair")
    List<Integer> threads;

    @Option(names = "--batch", defaultValue = "1", description = "images a pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seconds", defaultValue = "3", description = "seconds to measure, a third of them warming up (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--profile", description = "also time every layer inside the network (a clock read after each)")
    boolean profile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<Integer> counts = threads == null ? List.of(Runtime.getRuntime().availableProcessors()) : List.copyOf(new LinkedHashSet<>(threads));
        if (counts.stream().anyMatch(t -> t < 1)) throw new UserError("--threads must be at least 1");
        if (batch < 1) throw new UserError("--batch must be at least 1");
        if (!(seconds > 0)) throw new UserError("--seconds must be more than 0");
        if (profile && counts.size() > 1) throw new UserError("--profile times one thread count; give --threads one number");
        Graph graph = network.load(file);
        PrintWriter out = spec.commandLine().getOut();
        var params = CompiledEngine.raw(weights.load(graph, spec.commandLine().getErr()));
        Calibrating.ensure(spec.commandLine().getErr());
        float[][] inputs = new float[graph.inputs().size()][];
        Random random = new Random(0);
        for (int i = 0; i < inputs.length; i++) {
            Value v = graph.inputs().get(i);
            inputs[i] = new float[Math.toIntExact(v.shape().size() * batch)];
            for (int j = 0; j < inputs[i].length; j++) inputs[i][j] = (float) random.nextGaussian();
        }
        List<CompiledModel> models = new ArrayList<>();
        List<Runnable> bodies = new ArrayList<>();
        for (int t : counts) {
            CompiledModel model = new CpuTarget(choice.options(batch, t)).compile(FrontHalf.of(graph), params);
            CompiledNetwork net = model.instantiate(Parallel.of(t));
            float[][] outputs = net.forward(inputs);
            models.add(model);
            bodies.add(() -> net.forward(inputs, outputs));
        }
        Machine machine = Machine.detect();
        double flop = 2.0 * ModelSummary.of(graph).macs() * batch;
        if (counts.size() == 1) {
            int t = counts.getFirst();
            out.printf(Locale.ROOT, "%s, batch %d, %d thread%s on %s%n", graph.name(), batch, t, t == 1 ? "" : "s", machine.cpu());
            report(out, models.getFirst(), Latency.measure(bodies.getFirst(), seconds), t, flop, machine);
        } else {
            out.printf(Locale.ROOT, "%s, batch %d, %s threads on %s, timed in alternating rounds%n", graph.name(), batch,
                    counts.stream().map(String::valueOf).collect(Collectors.joining(", ")), machine.cpu());
            InterleavedLatency il = InterleavedLatency.measure(bodies, seconds * counts.size());
            for (int i = 0; i < counts.size(); i++) {
                int t = counts.get(i);
                out.printf(Locale.ROOT, "%n%d thread%s%n", t, t == 1 ? "" : "s");
                report(out, models.get(i), il.each().get(i), t, flop, machine);
            }
            out.println();
            for (int i = 1; i < counts.size(); i++) {
                double[] range = il.ratioRange(i);
                // Paired: each round times every count back to back, so the machine's drift cancels in the ratio.
                out.printf(Locale.ROOT, "%d threads against %d: %.2fx the time (median of %d paired rounds; %.2f to %.2f)%n",
                        counts.get(i), counts.getFirst(), il.ratioToFirst(i), il.rounds(), range[0], range[1]);
            }
        }
        out.println("cost model  " + machine.describeCalibration());
        if (profile) {
            out.println();
            int t = counts.getFirst();
            ProfiledNetwork profiled = models.getFirst().instantiateProfiled(Parallel.of(t));
            CpuProfile.print(models.getFirst(), profiled, inputs, t, out);
        }
        return 0;
    }

    /** One thread count's figures: latency, throughput, arithmetic rate, the strategies chosen. */
    private void report(PrintWriter out, CompiledModel model, Latency l, int t, double flop, Machine machine) {
        double median = l.medianMs();
        double gflops = flop / (median * 1e6);
        double peak = machine.peakGflopsPerCore() * t;
        out.printf(Locale.ROOT, "latency     median %.3f ms, p10 %.3f, p90 %.3f, min %.3f (%d passes after a warm-up until steady; %.1f cores busy)%n",
                median, l.percentileMs(10), l.percentileMs(90), l.percentileMs(0), l.calls(), l.cores());
        out.printf(Locale.ROOT, "throughput  %.1f images/s%n", batch * 1e3 / median);
        // Counted as direct convolution does it: Winograd does fewer multiplies, so its layers can pass 100%.
        out.printf(Locale.ROOT, "arithmetic  %.1f MFLOP a pass (as direct convolution counts them): %.1f GFLOP/s, %.0f%% of the FP32 peak "
                + "(%.0f GFLOP/s on %d core%s)%n", flop / 1e6, gflops, 100 * gflops / peak, peak, t, t == 1 ? "" : "s");
        Map<String, Integer> strategies = new TreeMap<>();
        model.choices().values().forEach(c -> strategies.merge(c.strategy() + (c.threads() < t ? " (1t)" : ""), 1, Integer::sum));
        model.fusion().fused().forEach(b -> strategies.merge("inverted-residual" + (b.threads() < t ? " (1t)" : ""), 1, Integer::sum));
        out.println("strategies  " + strategies + (choice.tune ? " (tuned)" : " (cost model)"));
    }
}
