package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;

/**
 * Predicts a conv strategy's time from its arithmetic and its memory traffic:
 * {@code flops / (efficiency * peak) + bytes / bandwidth}. Winograd does 2.25x (F(2,3)) or 4x
 * (F(4,3)) fewer multiplies but pays for its input and output transforms; im2col pays for
 * writing and reading its column matrix; depthwise does so little arithmetic per byte that
 * bandwidth dominates. Efficiencies are the fraction of peak each strategy's inner loop reached
 * in the JMH runs recorded in docs/kernels.md.
 */
public final class CostModel {

    private final Machine machine;

    public CostModel(Machine machine) {
        this.machine = machine;
    }

    public record Estimate(double ms, String reason) {}

    public Estimate estimate(String strategy, ConvGeometry g, int threads) {
        double macs = g.macsPerSample();
        double in = (double) g.inC() * g.inH() * g.inW();
        double out = (double) g.outC() * g.outH() * g.outW();
        double weights = (double) g.outC() * (g.inC() / g.groups()) * g.kernelH() * g.kernelW();
        double bytes = 4 * (in + out + weights);
        double flops = 2 * macs;
        double efficiency;
        String why;
        switch (strategy) {
            case "winograd-f23", "winograd-f43" -> {
                boolean f43 = strategy.endsWith("f43");
                int m = f43 ? 4 : 2;
                int a = m + 2;
                double tiles = Math.ceil(g.outH() / (double) m) * Math.ceil(g.outW() / (double) m);
                double transform = (g.inC() + g.outC()) * tiles * a * a * 4.0;
                flops = flops / (f43 ? 4.0 : 2.25) + transform;
                bytes += 4 * tiles * a * a * (g.inC() + g.outC());
                efficiency = f43 ? 0.40 : 0.45;
                why = String.format("%.2fx fewer multiplies than direct, transforms cost %.0f%% of the rest",
                        f43 ? 4.0 : 2.25, 100 * transform / Math.max(1, flops - transform));
            }
            case "gemm-1x1" -> {
                efficiency = 0.70;
                why = "1x1: the input already is the GEMM's right-hand matrix";
            }
            case "im2col-gemm" -> {
                double k = (double) (g.inC() / g.groups()) * g.kernelH() * g.kernelW();
                bytes += 8 * k * g.outH() * g.outW() * g.groups();
                efficiency = g.groups() == 1 ? 0.60 : 0.25;
                why = "packed GEMM after copying " + (long) (k * g.outH() * g.outW() * g.groups() * 4 / 1024) + " KiB of columns";
            }
            case "depthwise" -> {
                efficiency = 0.15;
                why = "one channel per group: bandwidth-bound, vectorized along the row";
            }
            case "direct-nchwc" -> {
                efficiency = 0.45;
                why = "NCHW16c: 12 pixels x 16 channels in registers, no packing; reorders where neighbours are planar";
            }
            case "direct" -> {
                efficiency = g.groups() == 1 ? 0.35 : 0.12;
                why = "no extra memory, vectorized over output columns";
            }
            default -> {
                efficiency = 0.10;
                why = "no model for this strategy";
            }
        }
        double ms = 1e3 * (flops / (efficiency * machine.peakFlops(threads)) + bytes / machine.bandwidth(threads));
        return new Estimate(ms, why);
    }
}
