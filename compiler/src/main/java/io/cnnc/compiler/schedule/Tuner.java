package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvKernel;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.Epilogue;
import java.util.Arrays;
import java.util.Random;

/**
 * Times one strategy on one layer with random data: warm-up calls for at least 5 runs and 150 ms
 * (C2 needs that long to compile a microkernel, longer while the other core is busy), then calls until at least 5 runs and 40 ms, at most 30 runs; the median is the
 * answer, as it ignores the odd run the other core's work slowed down.
 */
public final class Tuner {

    private Tuner() {}

    public static double measureMs(ConvStrategy strategy, ConvGeometry g, Parallel parallel) {
        Random r = new Random(1);
        float[] w = random(r, g.outC() * (g.inC() / g.groups()) * g.kernelH() * g.kernelW());
        float[] x = random(r, g.inC() * g.inH() * g.inW());
        float[] y = new float[g.outC() * g.outH() * g.outW()];
        ConvKernel k = strategy.prepare(g, w, Epilogue.none(), parallel);
        long warm = System.nanoTime();
        for (int i = 0; i < 5 || System.nanoTime() - warm < 150_000_000L; i++) k.forward(x, null, y, 1);
        double[] times = new double[30];
        int n = 0;
        long start = System.nanoTime();
        while (n < times.length && (n < 5 || System.nanoTime() - start < 40_000_000L)) {
            long t0 = System.nanoTime();
            k.forward(x, null, y, 1);
            times[n++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] used = Arrays.copyOf(times, n);
        Arrays.sort(used);
        return used[n / 2];
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
