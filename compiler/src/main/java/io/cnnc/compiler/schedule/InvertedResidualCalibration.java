package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvWork;
import io.cnnc.kernels.cpu.conv.Epilogue;
import io.cnnc.kernels.cpu.conv.InvertedResidualKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Measures the fused inverted residual kernel's efficiency ({@link InvertedResidualFusion#EFFICIENCY_KEY})
 * on two of MobileNetV2's blocks without a residual, one planar (24 -> 144 -> 32 at 56x56, stride
 * 2) and one blocked (96 -> 576 -> 160 at 14x14, stride 2), each warmed and timed as the median of
 * at least 5 calls and 30 ms, as the quick calibration times a strategy: for {@code cnnc calibrate}
 * and bench's full calibration, so neither drops the key from a table.
 */
public final class InvertedResidualCalibration {

    private record Block(int inC, int size, int expanded, int outC, boolean blocked) {}

    private static final List<Block> BLOCKS = List.of(new Block(24, 56, 144, 32, false), new Block(96, 14, 576, 160, true));

    private InvertedResidualCalibration() {}

    /** Whether the fused kernel runs on this machine (512-bit vectors). */
    public static boolean available() {
        Block b = BLOCKS.getFirst();
        return InvertedResidualKernel.computes(expand(b), depthwise(b), project(b), ActivationKind.RELU6, ActivationKind.RELU6,
                ActivationKind.IDENTITY, false, false);
    }

    /** One block's work for the cost model and its time, on {@code threads}. */
    public record Timed(ConvWork work, double ms, int threads) {

        /** The efficiency the time implies on {@code machine} (its final peak and bandwidth). */
        public double efficiency(Machine machine) {
            return CostModel.efficiencyOf(machine, work, ms, threads);
        }
    }

    /** Each block timed on {@code threads}; none where the kernel does not run. */
    public static List<Timed> time(int threads) {
        List<Timed> out = new ArrayList<>();
        if (!available()) return out;
        Parallel parallel = Parallel.of(threads);
        for (Block b : BLOCKS) {
            Random r = new Random(1);
            ConvGeometry e = expand(b), d = depthwise(b), p = project(b);
            InvertedResidualKernel k = new InvertedResidualKernel(e, random(r, e.weightCount()), Epilogue.of(random(r, e.outC()), false, ActivationKind.RELU6, 0),
                    d, random(r, d.weightCount()), Epilogue.of(random(r, d.outC()), false, ActivationKind.RELU6, 0),
                    p, random(r, p.weightCount()), Epilogue.of(random(r, p.outC()), false, ActivationKind.IDENTITY, 0), b.blocked(), b.blocked(), parallel);
            float[] x = random(r, e.inC() * e.inH() * e.inW());
            float[] y = new float[p.outC() * p.outH() * p.outW()];
            long start = System.nanoTime();
            for (int i = 0; i < 5 || System.nanoTime() - start < 400_000_000L; i++) k.forward(x, null, y, 1);
            double ms = Tuner.medianOfRound(k, x, y, 5, 30_000_000L, 30);
            out.add(new Timed(InvertedResidualFusion.work(e, d, p), ms, threads));
        }
        return out;
    }

    private static ConvGeometry expand(Block b) {
        return new ConvGeometry(b.inC(), b.size(), b.size(), b.expanded(), 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
    }

    private static ConvGeometry depthwise(Block b) {
        return new ConvGeometry(b.expanded(), b.size(), b.size(), b.expanded(), 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, b.expanded());
    }

    private static ConvGeometry project(Block b) {
        ConvGeometry d = depthwise(b);
        return new ConvGeometry(b.expanded(), d.outH(), d.outW(), b.outC(), 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
