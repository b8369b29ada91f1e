package io.cnnc.compiler.codegen;

import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.Tuner;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.Epilogue;
import java.util.Locale;
import java.util.Map;

/**
 * The text of {@code cnnc compile --explain}: the passes' effect, then per convolution the
 * strategy, why, its tiling, the cost model's estimate and a measurement of the chosen kernel on
 * this machine (from tuning when tuned, else timed now), then the memory plan.
 */
public final class ExplainReport {

    private ExplainReport() {}

    /** The inverted residual blocks: which run as one kernel, on how many threads, and the estimates either way. */
    private static void appendBlocks(StringBuilder sb, CompiledModel m) {
        var fusion = m.fusion();
        if (fusion.fused().isEmpty() && fusion.keptApart().isEmpty()) return;
        sb.append("inverted residual blocks (expansion, depthwise and projection as one kernel where faster):\n");
        for (var b : fusion.fused()) {
            sb.append(String.format(Locale.ROOT, "  %-28s fused, %d thread(s): %s%n", b.last().name(), b.threads(), b.reason()));
        }
        for (var b : fusion.keptApart()) {
            sb.append(String.format(Locale.ROOT, "  %-28s apart: %s%n", b.last().name(), b.reason()));
        }
        sb.append("\n");
    }

    public static String render(CompiledModel m) {
        StringBuilder sb = new StringBuilder();
        int threads = m.options().threads();
        sb.append(String.format(Locale.ROOT, "%s: %d nodes -> %d after passes (%s)%n", m.source().name(), m.source().nodes().size(),
                m.optimized().nodes().size(), String.join(", ", m.passNames())));
        sb.append(String.format(Locale.ROOT, "batch %d, %d thread(s)%s%n%n", m.options().batch(), threads,
                m.options().tune() ? ", tuned" : ", cost model (use --tune to measure candidates)"));
        sb.append("cost model figures: ").append(io.cnnc.compiler.schedule.Machine.detect().describeCalibration()).append("\n");
        sb.append(String.format(Locale.ROOT, "%-28s %-22s %-14s %-36s %9s %9s  %s%n", "layer", "op", "strategy", "tiling", "expected", "measured", "why"));
        double expectedTotal = 0;
        double measuredTotal = 0;
        for (Map.Entry<Node, Choice> e : m.choices().entrySet()) {
            Node n = e.getKey();
            Choice c = e.getValue();
            FusedConvOp f = (FusedConvOp) n.op();
            ConvGeometry g = f.conv().geometry(n.inputShapes().getFirst());
            var strategy = ConvStrategies.byName(c.strategy());
            Parallel parallel = Parallel.of(c.threads());
            String tiling = strategy.prepare(g, new float[g.weightCount()],
                    Epilogue.none(), parallel).tiling();
            double measured = c.measured() != null ? c.measured() : Tuner.measureMs(strategy, g, parallel);
            expectedTotal += c.expected();
            measuredTotal += measured;
            sb.append(String.format(Locale.ROOT, "%-28s %-22s %-14s %-36s %7.3fms %7.3fms  %s%n", n.name(), f.type(), c.strategy(), tiling,
                    c.expected(), measured, c.reason()));
        }
        sb.append(String.format(Locale.ROOT, "%-28s %-22s %-14s %-36s %7.3fms %7.3fms  (convolutions only, batch 1)%n%n", "total", "", "", "",
                expectedTotal, measuredTotal));
        appendBlocks(sb, m);
        var mem = m.memory();
        sb.append(String.format(Locale.ROOT, "memory: %d buffers, %.2f MiB for intermediates (%.2f MiB if every value had its own)%n",
                mem.slotSizes().size(), mem.peakBytes(m.options().batch()) / 1048576.0, mem.unsharedBytes(m.options().batch()) / 1048576.0));
        sb.append("compile phases:");
        m.phaseMillis().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.0f ms;", k, v)));
        sb.append(System.lineSeparator());
        return sb.toString();
    }
}
