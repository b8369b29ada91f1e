package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.DirectStrategy;
import io.cnnc.kernels.cpu.conv.WinogradNchwcStrategy;
import io.cnnc.kernels.cpu.gemm.PackedGemm;

/**
 * Predicts a conv strategy's time from its arithmetic and its memory traffic:
 * {@code flops / (efficiency * peak) + bytes / bandwidth}. Winograd does 2.25x (F(2,3)) or 4x
 * (F(4,3)) fewer multiplies but pays for its input and output transforms; im2col pays for
 * packing its panels; depthwise does so little arithmetic per byte that bandwidth dominates.
 * Efficiencies are not guessed: {@link Efficiencies} holds the fraction of peak each strategy
 * reached when bench's CalibrateCostModel timed it on this machine's layer set.
 */
public final class CostModel {

    /**
     * Memory traffic direct-nchwc-planar's own layout changes cost per element (the scalar
     * reorder's time on the Xeon at the model's bandwidth, docs/compiler.md); its efficiencies
     * are fitted with this term, so it stays when the reorders get faster.
     */
    static final double REORDER_BYTES_PER_ELEMENT = 16;

    private final Machine machine;
    private final Efficiencies efficiencies;

    public CostModel(Machine machine) {
        this(machine, Efficiencies.calibrated(machine.efficiencyTable()));
    }

    public CostModel(Machine machine, Efficiencies efficiencies) {
        this.machine = machine;
        this.efficiencies = efficiencies;
    }

    public record Estimate(double ms, String reason) {}

    /** What a strategy must do for one sample: arithmetic, memory traffic, and in words why. */
    public record Work(double flops, double bytes, String why) {}

    /**
     * Grouped (non-depthwise) convolutions run each strategy's loops on narrow matrices: calibrated
     * apart. direct-nchwc-planar is direct-nchwc's kernel with its layout changes counted as
     * bytes, so the two share one efficiency: calibrated apart, noise made the planar variant
     * look faster (0.87 of peak against 0.72) and ResNet-18 got reorders around planar layers
     * between blocked ones.
     */
    public static String efficiencyKey(String strategy, ConvGeometry g) {
        String kernel = strategy.equals("direct-nchwc-planar") ? "direct-nchwc" : strategy;
        return g.groups() > 1 && !kernel.startsWith("depthwise") ? kernel + ".grouped" : kernel;
    }

    public Estimate estimate(String strategy, ConvGeometry g, int threads) {
        Work w = work(strategy, g, threads);
        double efficiency = efficiencies.get(efficiencyKey(strategy, g), g, threads);
        double ms = 1e3 * (w.flops() / (efficiency * machine.peakFlops(threads)) + w.bytes() / machine.bandwidth(threads));
        double gathers = gathers(strategy, g);
        if (gathers > 0 && machine.gatherNanos() > 0) {
            double gatherMs = gathers * machine.gatherNanos() * 1e-6 / threads;
            return new Estimate(ms + gatherMs, w.why() + String.format("; %.0fk gathered panel columns (%.2f ms)", gathers / 1e3, gatherMs));
        }
        return new Estimate(ms, w.why());
    }

    public static Work work(String strategy, ConvGeometry g) {
        return work(strategy, g, 1);
    }

    /** The work on {@code threads} threads: only how some kernels cut their work depends on it. */
    public static Work work(String strategy, ConvGeometry g, int threads) {
        double macs = g.macsPerSample();
        double in = (double) g.inC() * g.inH() * g.inW();
        double out = (double) g.outC() * g.outH() * g.outW();
        double weights = g.weightCount();
        double bytes = 4 * (in + out + weights);
        double padding = padding(strategy, g);
        double flops = 2 * macs * padding;
        String padded = padding > 1.01 ? String.format("; %.2fx the multiplies in padded lanes", padding) : "";
        Work w = switch (strategy) {
            case "winograd-f23", "winograd-f43" -> {
                boolean f43 = strategy.endsWith("f43");
                int m = f43 ? 4 : 2;
                int a = m + 2;
                double tiles = Math.ceil(g.outH() / (double) m) * Math.ceil(g.outW() / (double) m);
                double transform = (g.inC() + g.outC()) * tiles * a * a * 4.0;
                double total = flops / (f43 ? 4.0 : 2.25) + transform;
                // Transformed weights are a*a/9 times the raw ones (F43: 4x) and, in a network
                // whose weights outgrow the last-level cache, come from memory on every pass.
                double transformedWeights = weights * (a * a / 9.0 - 1);
                yield new Work(total, bytes + 4 * tiles * a * a * (g.inC() + g.outC()) + 4 * transformedWeights,
                        String.format("%.2fx fewer multiplies than direct, transforms cost %.0f%% of the rest",
                                f43 ? 4.0 : 2.25, 100 * transform / Math.max(1, total - transform)));
            }
            case "winograd-f23-nchwc", "winograd-f43-nchwc" -> {
                WinogradNchwcStrategy s = (WinogradNchwcStrategy) ConvStrategies.byName(strategy);
                int m = s.transform().m();
                int a = m + 2;
                double tiles = Math.ceil(g.outH() / (double) m) * Math.ceil(g.outW() / (double) m);
                // Elementwise over 16 channels: about (a*a) * (nonzeros of B^T per row) vector ops per tile and channel block each way.
                double transform = (g.inC() + g.outC()) * tiles * a * a * 4.0;
                double total = flops / (m == 4 ? 4.0 : 2.25) + transform;
                // Every block of tiles streams all the transformed weights (a*a/9 the raw ones).
                int blocks = s.blocksPerSample(g, threads);
                yield new Work(total, 4 * (in + out) + 4 * tiles * a * a * (g.inC() + g.outC()) + 4 * weights * a * a / 9.0 * blocks,
                        String.format("NCHW16c: %.2fx fewer multiplies than direct, transforms elementwise on channel vectors, %d block(s) of tiles "
                                + "each streaming the transformed weights", m == 4 ? 4.0 : 2.25, blocks));
            }
            case "gemm-1x1" -> new Work(flops, bytes, g.strideH() * g.strideW() == 1 ? "1x1: the input already is the GEMM's right-hand matrix"
                    : "strided 1x1: every stride-th input pixel gathered straight into the GEMM's panels");
            case "im2col-gemm", "pixel-gemm" -> {
                // Both pack the whole im2col matrix, row by row or pixel by pixel, which a
                // big-kernel stem pays for in traffic (docs/compiler.md, strategy choice).
                double panels = (double) (g.inC() / g.groups()) * g.kernelH() * g.kernelW() * g.outH() * g.outW() * g.groups();
                yield new Work(flops, bytes + 4 * panels, (strategy.equals("pixel-gemm") ? "pixels x weights^T" : "packed GEMM")
                        + ", im2col packed on the fly (" + (long) (panels * 4 / 1024) + " KiB of panels)");
            }
            case "depthwise" -> new Work(flops, bytes, "one channel per group: bandwidth-bound, vectorized along the row");
            case "depthwise-nchwc" -> new Work(flops, bytes, "one channel per group on NCHW16c: one FMA per tap on a pixel's 16 channels");
            case "direct-nchwc", "direct-nchwc-planar-in" -> {
                // The input is copied into a zero-bordered plane (read once, written once).
                boolean bordered = g.padTop() + g.padBottom() + g.padLeft() + g.padRight() > 0;
                yield new Work(flops, bytes + (bordered ? 8 * in : 0),
                        "NCHW16c: 64 channels x 6 pixels in registers, input zero-bordered; reorders where neighbours are planar");
            }
            case "direct-nchwc-planar" -> new Work(flops, bytes + REORDER_BYTES_PER_ELEMENT * (in + out),
                    "direct-nchwc's kernel on NCHW: the input blocked by its border copy, the output scattered to planes");
            default -> new Work(flops, bytes, "direct count of multiply-adds");
        };
        return new Work(w.flops(), w.bytes(), w.why() + padded);
    }

    /**
     * pixel-gemm's packing gathers a panel column (MR pixels of one k) unless the panel's pixels
     * are consecutive in one row: at stride 2 always, at stride 1 only the panels across a row end.
     */
    static double gathers(String strategy, ConvGeometry g) {
        if (!strategy.equals("pixel-gemm")) return 0;
        double k = (double) (g.inC() / g.groups()) * g.kernelH() * g.kernelW() * g.groups();
        double panels = Math.ceil(g.outH() * g.outW() / (double) PackedGemm.MR);
        double gathered = g.strideW() > 1 ? 1 : Math.min(1, (PackedGemm.MR - 1) / (double) g.outW());
        return panels * k * gathered;
    }

    /**
     * How many multiply-adds a strategy really issues per useful one: register blocks and vectors
     * are filled up with padding when the dimension they cover is not a multiple of their size.
     * pixel-gemm's 32 output channels per register block run 16-channel layers at half speed,
     * and row-vectorized kernels waste 9 of 16 lanes on 7-pixel rows.
     */
    static double padding(String strategy, ConvGeometry g) {
        int lanes = PackedGemm.NR / 2; // the GEMM register block is two vectors wide
        int perGroup = g.outC() / g.groups();
        int pixels = g.outH() * g.outW();
        return switch (strategy) {
            case "pixel-gemm" -> roundedUp(perGroup, PackedGemm.NR);
            case "gemm-1x1", "im2col-gemm" -> roundedUp(perGroup, PackedGemm.MR) * roundedUp(pixels, PackedGemm.NR);
            case "direct" -> roundedUp(g.outW(), lanes) * roundedUp(perGroup, DirectStrategy.MR);
            case "depthwise" -> roundedUp(g.outW(), lanes);
            // Output blocks go in groups of 4 (a tail of 1-2 as 2, of 3 as 4), pixels in 6s or 12s.
            case "direct-nchwc", "direct-nchwc-planar" -> outputGroupPadding(g) * registerPadding(pixels, registerPixels(g));
            // Planar input: rows of kx taps, without tail blocks.
            case "direct-nchwc-planar-in" -> outputGroupPadding(g) * roundedUp(pixels, registerPixels(g));
            // The same register blocks over tiles, m x m pixels each (partial tiles at the edges count whole).
            case "winograd-f23-nchwc", "winograd-f43-nchwc" -> {
                int m = strategy.startsWith("winograd-f43") ? 4 : 2;
                int tilesX = (g.outW() + m - 1) / m, tilesY = (g.outH() + m - 1) / m;
                yield outputGroupPadding(g) * (tilesX * tilesY * m * m) / pixels * registerPadding(tilesX * tilesY, registerPixels(g));
            }
            default -> 1;
        };
    }

    /** The NCHW16c register blocks' output groups: 4 blocks, a tail of 1-2 as 2, of 3 as 4 (computed blocks over real ones). */
    private static double outputGroupPadding(ConvGeometry g) {
        int blocks = Math.max(1, g.outC() / 16), tail = blocks % 4;
        return (double) (blocks - tail + (tail == 0 ? 0 : tail <= 2 ? 2 : 4)) / blocks;
    }

    /** Pixels (or tiles) per register block: 6 with 4-block groups, 12 for a 2-block tail. */
    private static int registerPixels(ConvGeometry g) {
        int tail = Math.max(1, g.outC() / 16) % 4;
        return tail == 0 || tail > 2 ? 6 : 12;
    }

    /**
     * Computed over real pixels (tiles) with a register block of {@code step}: direct-nchwc and
     * Winograd-nchwc run a tail of 1-2 or 3-4 of a 6-wide block as 2 or 4.
     */
    static double registerPadding(int n, int step) {
        if (step != 6) return roundedUp(n, step);
        int tail = n % 6;
        return (double) (n - tail + (tail == 0 ? 0 : tail <= 2 ? 2 : tail <= 4 ? 4 : 6)) / n;
    }

    /** n rounded up to a multiple of m, over n. */
    private static double roundedUp(int n, int m) {
        return (double) ((n + m - 1) / m * m) / n;
    }
}
