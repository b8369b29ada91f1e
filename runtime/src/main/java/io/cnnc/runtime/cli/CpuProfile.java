package io.cnnc.runtime.cli;

import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.InvertedResidualOp;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import io.cnnc.kernels.cpu.SteadyState;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cnnc run --profile} on the CPU: the network generated with a clock after every layer,
 * warmed up until the JIT has compiled the kernels, then timed over several passes. The
 * per-layer times are those inside the whole network (caches shared with the other layers),
 * which is what the tuner's isolated measurements cannot show.
 */
final class CpuProfile {

    private static final long WARM_UP_NANOS = 2_000_000_000L;
    private static final long MAX_WARM_UP_NANOS = 10_000_000_000L;
    private static final long MEASURE_NANOS = 2_000_000_000L;

    private CpuProfile() {}

    static void print(CompiledModel model, ProfiledNetwork net, float[][] inputs, int threads, PrintWriter out) {
        float[][] outputs = net.forward(inputs);
        long warm0 = System.nanoTime();
        SteadyState.reach(() -> net.forward(inputs, outputs), WARM_UP_NANOS, MAX_WARM_UP_NANOS);
        double warmUpS = (System.nanoTime() - warm0) / 1e9;
        ProfiledNetwork.Profile profile = net.profile(inputs, outputs, MEASURE_NANOS, 5);
        double[] layerMs = profile.layerMs();
        String[] names = net.layerNames();
        String[] notes = net.layerNotes();
        Map<String, Node> nodes = new HashMap<>();
        for (Node n : model.optimized().nodes()) nodes.put(n.name(), n);
        Map<String, Choice> choices = new HashMap<>();
        model.choices().forEach((n, c) -> choices.put(n.name(), c));
        double layersMs = 0;
        for (double ms : layerMs) layersMs += ms;
        out.printf(Locale.ROOT, "forward pass: %.3f ms (mean of %d after %.1f s warm-up until steady, %d thread%s, batch %d)%n",
                profile.totalMs(), profile.passes(), warmUpS, threads, threads == 1 ? "" : "s", model.options().batch());
        out.printf(Locale.ROOT, "%-28s %-10s %-16s %-22s %9s %6s %8s %9s%n",
                "layer", "op", "strategy", "output", "ms", "%", "GFLOP/s", "tuner ms");
        for (int i = 0; i < names.length; i++) {
            Node n = nodes.get(names[i]);
            double ms = layerMs[i];
            Choice c = choices.get(names[i]);
            long macs = n.op().macs(n.inputShapes(), n.output().shape()) * model.options().batch();
            Double isolated = c == null ? null : c.measured() != null ? c.measured() : c.expected();
            String strategy = c != null ? (c.threads() < threads ? c.strategy() + " (1t)" : c.strategy())
                    : n.op() instanceof InvertedResidualOp block ? "fused" + (block.threads() < threads ? " (1t)" : "") : "";
            out.printf(Locale.ROOT, "%-28s %-10s %-16s %-22s %9.3f %6.1f %8s %9s%s%n", names[i], n.op().type(),
                    strategy, n.output().shape(), ms, 100 * ms / layersMs,
                    macs == 0 ? "" : String.format(Locale.ROOT, "%.1f", 2.0 * macs / (ms * 1e6)),
                    isolated == null ? "" : String.format(Locale.ROOT, "%.3f%s", isolated, c.measured() == null ? "*" : ""),
                    notes[i].isEmpty() ? "" : "  " + notes[i]);
        }
        out.printf(Locale.ROOT, "sum of layers %.3f ms; tuner ms: the chosen strategy timed alone by --tune (* = cost-model estimate)%s%n", layersMs,
                threads > 1 ? "; (1t): a layer the cost model runs on one thread" : "");
    }
}
