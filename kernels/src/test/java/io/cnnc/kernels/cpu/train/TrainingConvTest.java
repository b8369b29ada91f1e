package io.cnnc.kernels.cpu.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.DataGradientConv;
import io.cnnc.kernels.cpu.conv.WeightGradientForm;
import io.cnnc.kernels.reference.ConvReference;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A conv node's runner over several steps, new weights each time, against the reference
 * convolution in double: the forward and the data gradient, with the batch split over two
 * threads (an odd batch, so the slices differ), blocked strategies between reorders, and kernels
 * kept from step to step.
 */
class TrainingConvTest {

    @ParameterizedTest
    @ValueSource(strings = {"direct", "pixel-gemm", "direct-nchwc", "winograd-f23", "winograd-f43", "winograd-f23-nchwc", "winograd-f43-nchwc"})
    void everyStepMatchesTheReference(String strategy) {
        ConvGeometry g = new ConvGeometry(32, 12, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        ConvGeometry d = DataGradientConv.geometry(g);
        TrainingConv.Run c = new TrainingConv.Run(strategy, 2);
        TrainingConv runner = new TrainingConv(c, c, d, WeightGradientForm.CHANNELS_LAST, null, null, false, new TrainingConv.Slices());
        // Measured worst max|err| / max|ref| over the steps (Zen 5), forward / data gradient: exact
        // strategies 6.3e-7 / 4.3e-7, F23 2.8e-7 / 2.1e-7, F43 4.3e-6 / 3.5e-6; bounds about 10x.
        double tolerance = strategy.contains("f43") ? 5e-5 : 6e-6;
        Random r = new Random(9);
        int batch = 5;
        float[] x = uniform(r, batch * g.inC() * g.inH() * g.inW(), 1);
        float[] dy = uniform(r, batch * g.outC() * g.outH() * g.outW(), 1);
        for (int step = 0; step < 3; step++) {
            float[] w = uniform(r, g.weightCount(), (float) Math.sqrt(3.0 / (9 * g.inC())));
            float[] y = new float[dy.length];
            float[] want = new float[dy.length];
            runner.forward(g, x, w, null, y, batch);
            ConvReference.forward(x, batch, g, w, null, want);
            assertClose(y, want, tolerance, strategy + " forward, step " + step);
            float[] dx = new float[x.length];
            float[] dxWant = new float[x.length];
            runner.backward(g, x, dy, w, dx, null, null, batch);
            ConvReference.forward(dy, batch, d, DataGradientConv.filter(g, w), null, dxWant);
            assertClose(dx, dxWant, tolerance, strategy + " data gradient, step " + step);
        }
    }

    /**
     * A strided conv's data gradient by phases, over two threads and three steps of new weights,
     * against im2col, GEMM and col2im (itself checked against finite differences, GradientCheckTest):
     * ResNet's stride-2 3x3 and its 1x1 shortcut, whose odd phases no tap reaches.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 1})
    void aStridedDataGradientByPhasesMatchesCol2im(int kernel) {
        ConvGeometry g = new ConvGeometry(16, 12, 10, 32, kernel, kernel, 2, 2, kernel / 2, kernel / 2, kernel / 2, kernel / 2, 1, 1, 1);
        var phases = io.cnnc.kernels.cpu.conv.PhaseDataGradient.phases(g);
        java.util.List<TrainingConv.Run> runs = phases.stream().map(p -> p.geometry() == null ? null : new TrainingConv.Run("direct", 2)).toList();
        TrainingConv runner = new TrainingConv(new TrainingConv.Run("direct", 2), null, null, WeightGradientForm.CHANNELS_LAST, phases, runs, false,
                new TrainingConv.Slices());
        Random r = new Random(kernel);
        int batch = 5;
        float[] x = uniform(r, batch * g.inC() * g.inH() * g.inW(), 1);
        float[] dy = uniform(r, batch * g.outC() * g.outH() * g.outW(), 1);
        for (int step = 0; step < 3; step++) {
            float[] w = uniform(r, g.weightCount(), 0.3f);
            float[] dx = new float[x.length];
            java.util.Arrays.fill(dx, Float.NaN);
            runner.backward(g, x, dy, w, dx, null, null, batch);
            float[] want = new float[x.length];
            io.cnnc.kernels.cpu.Im2colConv.backward(x, dy, batch, g, w, want, null, null);
            assertClose(dx, want, 1e-5, kernel + "x" + kernel + " data gradient by phases, step " + step);
        }
    }

    private static void assertClose(float[] got, float[] want, double tolerance, String what) {
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
        }
        assertThat(worst / scale).as(what).isLessThan(tolerance);
    }

    private static float[] uniform(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (r.nextFloat() * 2 - 1) * scale;
        return a;
    }
}
