package io.cnnc.bench;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.InterleavedLatency;
import io.cnnc.kernels.cpu.conv.ChannelsLastWeightGradient;
import io.cnnc.kernels.cpu.conv.WeightGradientForm;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * GFLOP/s of the weight gradient forms on ResNet-20's layers at a training batch, x and dy NCHW
 * and NCHWc, timed in alternating rounds (InterleavedLatency). Usage: WeightGradientThroughput
 * [BATCH] [SECONDS per layer]; the thread count is the JVM's (-XX:ActiveProcessorCount=1 for one).
 */
public final class WeightGradientThroughput {

    private WeightGradientThroughput() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 6;
        List<ConvGeometry> layers = List.of(
                new ConvGeometry(16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(16, 32, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1));
        System.out.printf(Locale.ROOT, "%d threads, batch %d, %s; GFLOP/s (median of the rounds)%n", Runtime.getRuntime().availableProcessors(), batch,
                Nchwc.NAME);
        Random r = new Random(1);
        for (ConvGeometry g : layers) {
            float[] x = random(r, batch * g.inC() * g.inH() * g.inW());
            float[] dy = random(r, batch * g.outC() * g.outH() * g.outW());
            float[] xb = new float[x.length];
            float[] dyb = new float[dy.length];
            Nchwc.toBlocked(x, xb, batch, g.inC(), g.inH() * g.inW());
            Nchwc.toBlocked(dy, dyb, batch, g.outC(), g.outH() * g.outW());
            float[] dw = new float[g.weightCount()];
            List<String> names = new ArrayList<>(List.of("lane-partial", "channels-last", "channels-last on " + Nchwc.NAME));
            List<Runnable> bodies = List.of(
                    () -> WeightGradientForm.LANE_PARTIAL.accumulate(x, dy, batch, g, dw),
                    () -> ChannelsLastWeightGradient.accumulate(x, dy, batch, g, dw),
                    () -> ChannelsLastWeightGradient.accumulate(xb, true, dyb, true, batch, g, dw));
            InterleavedLatency t = InterleavedLatency.measure(bodies, seconds);
            double flop = 2.0 * batch * g.macsPerSample();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%3d->%3d %2dx%-2d stride %d:", g.inC(), g.outC(), g.inH(), g.inW(), g.strideH()));
            for (int i = 0; i < bodies.size(); i++) {
                line.append(String.format(Locale.ROOT, "  %s %.0f", names.get(i), flop / (t.each().get(i).medianMs() * 1e6)));
            }
            System.out.println(line);
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() - 0.5f;
        return a;
    }
}
