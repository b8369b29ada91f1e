package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A strided convolution's data gradient by phases against the definition (each dy value times
 * each tap added at the input position the forward read it from, in double), for ResNet's
 * stride-2 layers, odd sizes, asymmetric padding, stride 3, a 1x1 kernel (phases no tap reaches),
 * groups and depthwise convolutions.
 */
class PhaseDataGradientTest {

    /** inC, inH, inW, outC, kH, kW, strideH, strideW, pads t/l/b/r, groups. */
    @ParameterizedTest
    @CsvSource({
            "16, 32, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1",
            "16, 32, 32, 32, 1, 1, 2, 2, 0, 0, 0, 0, 1",
            "5, 13, 11, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1",
            "4, 15, 17, 6, 5, 3, 3, 2, 2, 1, 1, 0, 1",
            "6, 12, 12, 6, 3, 3, 2, 2, 1, 1, 1, 1, 3",
            "3, 9, 10, 4, 4, 4, 2, 2, 1, 1, 1, 1, 1",
            // MobileNetV2's stride-2 depthwise 3x3, and a depthwise with a channel multiplier of 2
            "8, 12, 12, 8, 3, 3, 2, 2, 1, 1, 1, 1, 8",
            "4, 11, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, 4"})
    void phasesGiveTheDataGradient(int inC, int inH, int inW, int outC, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr,
                                   int groups) {
        ConvGeometry g = new ConvGeometry(inC, inH, inW, outC, kh, kw, sh, sw, pt, pl, pb, pr, 1, 1, groups);
        assertThat(PhaseDataGradient.applies(g)).isTrue();
        int batch = 2;
        Random r = new Random(inC * 31 + kh);
        float[] w = new float[g.weightCount()];
        float[] dy = new float[batch * outC * g.outH() * g.outW()];
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() * 2 - 1;
        for (int i = 0; i < dy.length; i++) dy[i] = r.nextFloat() * 2 - 1;
        float[] dx = new float[batch * inC * inH * inW];
        java.util.Arrays.fill(dx, Float.NaN); // every position is some phase's
        for (PhaseDataGradient.Phase p : PhaseDataGradient.phases(g)) {
            float[] out = null;
            if (p.geometry() != null) {
                out = new float[batch * inC * p.outH() * p.outW()];
                new DirectStrategy().prepare(p.geometry(), PhaseDataGradient.filter(g, p, w), Epilogue.none(), Parallel.serial())
                        .forward(dy, null, out, batch);
            }
            PhaseDataGradient.scatter(g, p, out, dx, batch);
        }
        double[] want = definition(g, w, dy, batch);
        for (int i = 0; i < dx.length; i++) assertThat((double) dx[i]).as("dx[%d]", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4));
    }

    private static double[] definition(ConvGeometry g, float[] w, float[] dy, int batch) {
        double[] dx = new double[batch * g.inC() * g.inH() * g.inW()];
        int inPer = g.inC() / g.groups(), outPer = g.outC() / g.groups();
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < g.outC(); o++) {
                int grp = o / outPer;
                for (int y = 0; y < g.outH(); y++) {
                    for (int x = 0; x < g.outW(); x++) {
                        double d = dy[((n * g.outC() + o) * g.outH() + y) * g.outW() + x];
                        for (int i = 0; i < inPer; i++) {
                            int c = grp * inPer + i;
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int iy = y * g.strideH() - g.padTop() + ky;
                                if (iy < 0 || iy >= g.inH()) continue;
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int ix = x * g.strideW() - g.padLeft() + kx;
                                    if (ix < 0 || ix >= g.inW()) continue;
                                    dx[((n * g.inC() + c) * g.inH() + iy) * g.inW() + ix] += d * w[((o * inPer + i) * g.kernelH() + ky) * g.kernelW() + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }
}
