package io.cnnc.kernels.cpu.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.DataGradientConv;
import io.cnnc.kernels.cpu.conv.PhaseDataGradient;
import io.cnnc.kernels.cpu.conv.WeightGradientForm;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A conv layer whose input or output the step keeps NCHWc against the same layer on NCHW
 * tensors (itself checked against the reference in TrainingConvTest): the forward with its bias
 * and ReLU, the bias, weight and data gradients, over two steps of new weights, for blocked and
 * planar kernels and a strided layer's data gradient by phases. The two runs share every
 * kernel, so they may differ only where the blocked one sums in another order.
 */
class BlockedTrainingConvTest {

    private static final int B = Nchwc.BLOCK;

    @ParameterizedTest
    @CsvSource({"direct-nchwc, true, true", "winograd-f23-nchwc, true, true", "winograd-f43-nchwc, true, false", "direct-nchwc, false, true",
            "direct, true, true", "pixel-gemm, false, true", "direct, true, false", "phases, true, true", "phases, false, true"})
    void aBlockedLayerMatchesThePlanarOne(String strategy, boolean inBlocked, boolean outBlocked) {
        boolean strided = strategy.equals("phases");
        int stride = strided ? 2 : 1;
        ConvGeometry g = new ConvGeometry(2 * B, 10, 9, 2 * B, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1, 1);
        TrainingConv.Layouts layouts = new TrainingConv.Layouts(inBlocked, outBlocked);
        TrainingConv planar = runner(strategy, g, TrainingConv.Layouts.PLANAR);
        TrainingConv blocked = runner(strategy, g, layouts);
        Random r = new Random(11);
        int batch = 5;
        int inSpatial = g.inH() * g.inW();
        int outSpatial = g.outH() * g.outW();
        float[] x = uniform(r, batch * g.inC() * inSpatial, 1);
        float[] bias = uniform(r, g.outC(), 0.2f);
        for (int step = 0; step < 2; step++) {
            float[] w = uniform(r, g.weightCount(), 0.2f);
            float[] y = new float[batch * g.outC() * outSpatial];
            planar.forward(g, x, w, bias, y, batch, true);
            float[] yb = new float[y.length];
            blocked.forward(g, layout(x, inBlocked, batch, g.inC(), inSpatial), w, bias, yb, batch, true);
            assertClose(planar(yb, outBlocked, batch, g.outC(), outSpatial), y, 1e-6, strategy + " forward, step " + step);

            float[] dy = uniform(r, y.length, 1);
            float[] dyb = layout(dy, outBlocked, batch, g.outC(), outSpatial);
            float[] dx = new float[x.length];
            float[] dw = new float[w.length];
            float[] db = new float[g.outC()];
            planar.backward(g, x, dy, w, dx, dw, db, batch, y);
            float[] dxb = new float[x.length];
            java.util.Arrays.fill(dxb, Float.NaN);
            float[] dwb = new float[w.length];
            float[] dbb = new float[g.outC()];
            blocked.backward(g, layout(x, inBlocked, batch, g.inC(), inSpatial), dyb, w, dxb, dwb, dbb, batch, yb);
            assertClose(planar(dxb, inBlocked, batch, g.inC(), inSpatial), dx, 1e-6, strategy + " data gradient, step " + step);
            assertClose(dwb, dw, 1e-6, strategy + " weight gradient, step " + step);
            assertClose(dbb, db, 1e-6, strategy + " bias gradient, step " + step);
            assertThat(dy).as("dy masked by the ReLU").contains(0f);
        }
    }

    private static TrainingConv runner(String strategy, ConvGeometry g, TrainingConv.Layouts layouts) {
        if (strategy.equals("phases")) {
            List<PhaseDataGradient.Phase> phases = PhaseDataGradient.phases(g);
            List<TrainingConv.Run> runs = phases.stream().map(p -> p.geometry() == null ? null : new TrainingConv.Run("direct", 2)).toList();
            return new TrainingConv(new TrainingConv.Run("direct-nchwc", 2), null, null, WeightGradientForm.CHANNELS_LAST, phases, runs, false,
                    new TrainingConv.Slices(), layouts);
        }
        TrainingConv.Run c = new TrainingConv.Run(strategy, 2);
        return new TrainingConv(c, c, DataGradientConv.geometry(g), WeightGradientForm.CHANNELS_LAST, null, null, false, new TrainingConv.Slices(),
                layouts);
    }

    private static float[] layout(float[] planar, boolean blocked, int batch, int channels, int spatial) {
        if (!blocked) return planar.clone();
        float[] out = new float[planar.length];
        Nchwc.toBlocked(planar, out, batch, channels, spatial);
        return out;
    }

    private static float[] planar(float[] a, boolean blocked, int batch, int channels, int spatial) {
        if (!blocked) return a;
        float[] out = new float[a.length];
        Nchwc.toPlanar(a, out, batch, channels, spatial);
        return out;
    }

    static float[] uniform(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (r.nextFloat() * 2 - 1) * scale;
        return a;
    }

    /** max |a - b| within {@code relative} of max |b|. */
    static void assertClose(float[] a, float[] b, double relative, String what) {
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < b.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        assertThat(worst).as(what + ": max |err| against max |ref| " + scale).isLessThanOrEqualTo(relative * scale);
    }
}
