package io.cnnc.compiler.target.gpu;

import io.cnnc.compiler.target.gpu.GpuPlan.ConvChoice;
import io.cnnc.compiler.target.gpu.GpuPlan.Role;
import io.cnnc.compiler.target.gpu.GpuPlan.Step;
import java.util.Locale;
import java.util.Map;

/**
 * A GPU plan in words, for {@code cnnc compile --target opencl|cuda --explain} and the plan file
 * of {@code --emit-kernels}: buffers and their memory, the strategy of every convolution and
 * why, then every launch with its work sizes; with measured times per layer when given.
 */
public final class PlanText {

    private PlanText() {}

    public static String render(GpuPlan plan, String target, Map<String, Double> measuredMs) {
        StringBuilder sb = new StringBuilder();
        long layers = plan.steps().stream().map(Step::layer).distinct().count();
        sb.append(String.format(Locale.ROOT, "%s for %s, batch %d: %d layers, %d kernel launches per forward pass%n", plan.network(),
                target, plan.batch(), layers, plan.steps().size()));
        sb.append(String.format(Locale.ROOT, "device memory: activations %.2f MiB in %d buffers shared by liveness (%.2f MiB if every value had its own), "
                        + "weights %.2f MiB in %d buffers (BatchNorm folded), inputs %.2f MiB, scratch %.2f MiB%n",
                mib(plan.floats(Role.ACTIVATION)), plan.count(Role.ACTIVATION), mib(plan.unsharedActivationFloats()),
                mib(plan.floats(Role.WEIGHT)), plan.count(Role.WEIGHT), mib(plan.floats(Role.INPUT)), mib(plan.floats(Role.WORKSPACE))));
        if (!plan.convs().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nconvolutions (rules, see docs/gpu.md):%n%-28s %-24s %-10s %s%n", "layer", "op", "strategy", "why"));
            for (ConvChoice c : plan.convs()) {
                sb.append(String.format(Locale.ROOT, "%-28s %-24s %-10s %s%n", c.layer(), c.op(), c.strategy().label(), c.reason()));
            }
        }
        sb.append(String.format(Locale.ROOT, "%nlaunches:%n%-28s %-18s %-22s %-10s%s%n", "layer", "kernel", "global", "local",
                measuredMs.isEmpty() ? "" : "  layer ms"));
        String last = null;
        double total = 0;
        for (Step s : plan.steps()) {
            long[] g = s.launch().global(), l = s.launch().local();
            String ms = "";
            if (!s.layer().equals(last) && measuredMs.containsKey(s.layer())) {
                ms = String.format(Locale.ROOT, "  %8.3f", measuredMs.get(s.layer()));
                total += measuredMs.get(s.layer());
            }
            sb.append(String.format(Locale.ROOT, "%-28s %-18s %-22s %-10s%s%n", s.layer().equals(last) ? "" : s.layer(), s.launch().kernel(),
                    g[0] + "x" + g[1] + "x" + g[2], l[0] + "x" + l[1] + "x" + l[2], ms));
            last = s.layer();
        }
        if (!measuredMs.isEmpty()) sb.append(String.format(Locale.ROOT, "%-82s%8.3f  (sum of layers)%n", "total", total));
        return sb.toString();
    }

    private static double mib(long floats) {
        return floats * 4.0 / 1048576;
    }
}
