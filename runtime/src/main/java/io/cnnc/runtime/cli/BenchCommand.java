package io.cnnc.runtime.cli;

import io.cnnc.compiler.analysis.ModelSummary;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.target.cpu.CpuTarget;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Latency;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
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

    @Option(names = "--threads", description = "cores to run on (default: all)")
    Integer threads;

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
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) throw new UserError("--threads must be at least 1");
        if (batch < 1) throw new UserError("--batch must be at least 1");
        if (!(seconds > 0)) throw new UserError("--seconds must be more than 0");
        Graph graph = network.load(file);
        PrintWriter out = spec.commandLine().getOut();
        var params = CompiledEngine.raw(weights.load(graph, spec.commandLine().getErr()));
        Calibrating.ensure(spec.commandLine().getErr());
        CompiledModel model = new CpuTarget(choice.options(batch, t)).compile(FrontHalf.of(graph), params);
        float[][] inputs = new float[graph.inputs().size()][];
        Random random = new Random(0);
        for (int i = 0; i < inputs.length; i++) {
            Value v = graph.inputs().get(i);
            inputs[i] = new float[Math.toIntExact(v.shape().size() * batch)];
            for (int j = 0; j < inputs[i].length; j++) inputs[i][j] = (float) random.nextGaussian();
        }
        CompiledNetwork net = model.instantiate(Parallel.of(t));
        float[][] outputs = net.forward(inputs);
        Latency l = Latency.measure(() -> net.forward(inputs, outputs), seconds);
        Machine machine = Machine.detect();
        double median = l.medianMs();
        double flop = 2.0 * ModelSummary.of(graph).macs() * batch;
        double gflops = flop / (median * 1e6);
        double peak = machine.peakGflopsPerCore() * t;
        out.printf(Locale.ROOT, "%s, batch %d, %d thread%s on %s%n", graph.name(), batch, t, t == 1 ? "" : "s", machine.cpu());
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
        out.println("cost model  " + machine.describeCalibration());
        if (profile) {
            out.println();
            ProfiledNetwork profiled = model.instantiateProfiled(Parallel.of(t));
            CpuProfile.print(model, profiled, inputs, t, out);
        }
        return 0;
    }
}
