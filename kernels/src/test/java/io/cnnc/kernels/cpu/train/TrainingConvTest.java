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
            runner.forward(g, x, w, null, y, batch, false);
            ConvReference.forward(x, batch, g, w, null, want);
            assertClose(y, want, tolerance, strategy + " forward, step " + step);
            float[] dx = new float[x.length];
            float[] dxWant = new float[x.length];
            runner.backward(g, x, dy, w, dx, null, null, batch, null);
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
            runner.backward(g, x, dy, w, dx, null, null, batch, null);
            float[] want = new float[x.length];
            io.cnnc.kernels.cpu.Im2colConv.backward(x, dy, batch, g, w, want, null, null);
            assertClose(dx, want, 1e-5, kernel + "x" + kernel + " data gradient by phases, step " + step);
        }
    }

    /**
     * A layer that computes the ReLU after it and has a bias: the forward against the reference
     * convolution clamped at 0; the backward, given the ReLU's output gradient, against plain
     * loops in double on dy masked where the output is 0: the bias gradient as its sums, the data
     * gradient as the flipped-filter reference convolution, the weight gradient as sums of
     * products over every tap. Over two steps, with dx and dw starting as NaN and 0.
     */
    @ParameterizedTest
    @ValueSource(strings = {"direct", "pixel-gemm", "winograd-f23-nchwc"})
    void aLayerWithItsReluAndBiasMatchesPlainLoops(String strategy) {
        ConvGeometry g = new ConvGeometry(16, 9, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        ConvGeometry d = DataGradientConv.geometry(g);
        TrainingConv.Run c = new TrainingConv.Run(strategy, 2);
        TrainingConv runner = new TrainingConv(c, c, d, WeightGradientForm.CHANNELS_LAST, null, null, false, new TrainingConv.Slices());
        Random r = new Random(4);
        int batch = 3;
        int hw = g.outH() * g.outW();
        float[] x = uniform(r, batch * g.inC() * g.inH() * g.inW(), 1);
        float[] bias = uniform(r, g.outC(), 0.2f);
        for (int step = 0; step < 2; step++) {
            float[] w = uniform(r, g.weightCount(), 0.3f);
            float[] y = new float[batch * g.outC() * hw];
            float[] want = new float[y.length];
            runner.forward(g, x, w, bias, y, batch, true);
            ConvReference.forward(x, batch, g, w, bias, want);
            for (int i = 0; i < want.length; i++) want[i] = Math.max(0f, want[i]);
            assertClose(y, want, 6e-6, strategy + " forward with its ReLU, step " + step);
            assertThat(y).as("some outputs clamped").contains(0f);

            float[] dy = uniform(r, y.length, 1);
            float[] masked = new float[y.length];
            for (int i = 0; i < y.length; i++) masked[i] = y[i] > 0 ? dy[i] : 0f;
            float[] dx = new float[x.length];
            java.util.Arrays.fill(dx, Float.NaN);
            float[] dw = new float[w.length];
            float[] db = new float[g.outC()];
            runner.backward(g, x, dy, w, dx, dw, db, batch, y);
            float[] dbWant = new float[g.outC()];
            for (int o = 0; o < g.outC(); o++) {
                double s = 0;
                for (int n = 0; n < batch; n++) for (int i = 0; i < hw; i++) s += masked[(n * g.outC() + o) * hw + i];
                dbWant[o] = (float) s;
            }
            assertClose(db, dbWant, 1e-6, strategy + " bias gradient, step " + step);
            float[] dxWant = new float[x.length];
            ConvReference.forward(masked, batch, d, DataGradientConv.filter(g, w), null, dxWant);
            assertClose(dx, dxWant, 6e-6, strategy + " data gradient, step " + step);
            assertClose(dw, weightGradient(g, x, masked, batch), 1e-5, strategy + " weight gradient, step " + step);
        }
    }

    /** sum over samples and output pixels of dy times the input under each tap, in double (stride 1, no groups). */
    private static float[] weightGradient(ConvGeometry g, float[] x, float[] dy, int batch) {
        float[] dw = new float[g.weightCount()];
        int k = g.kernelH() * g.kernelW();
        for (int o = 0; o < g.outC(); o++) {
            for (int i = 0; i < g.inC(); i++) {
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    for (int kx = 0; kx < g.kernelW(); kx++) {
                        double s = 0;
                        for (int n = 0; n < batch; n++) {
                            for (int oy = 0; oy < g.outH(); oy++) {
                                for (int ox = 0; ox < g.outW(); ox++) {
                                    int iy = oy - g.padTop() + ky;
                                    int ix = ox - g.padLeft() + kx;
                                    if (iy < 0 || ix < 0 || iy >= g.inH() || ix >= g.inW()) continue;
                                    s += (double) dy[((n * g.outC() + o) * g.outH() + oy) * g.outW() + ox]
                                            * x[((n * g.inC() + i) * g.inH() + iy) * g.inW() + ix];
                                }
                            }
                        }
                        dw[(o * g.inC() + i) * k + ky * g.kernelW() + kx] = (float) s;
                    }
                }
            }
        }
        return dw;
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
