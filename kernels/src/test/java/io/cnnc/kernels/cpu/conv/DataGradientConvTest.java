package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Im2colConv;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.reference.ConvReference;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The data gradient as a convolution of dy with the flipped, transposed filter, run by every
 * exact planar strategy that computes it, against two independent answers: the adjoint identity
 * <conv(x), dy> = <x, dx> with the reference forward in double, and im2col's transposed GEMM and
 * col2im elementwise.
 */
class DataGradientConvTest {

    static List<ConvGeometry> geometries() {
        return List.of(
                new ConvGeometry(8, 7, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(16, 8, 8, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(4, 9, 7, 6, 5, 3, 1, 1, 2, 0, 1, 2, 1, 1, 1),   // asymmetric pads, no pad on the left
                new ConvGeometry(8, 6, 6, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),  // grouped
                new ConvGeometry(16, 6, 5, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16), // depthwise
                new ConvGeometry(8, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8));  // depthwise, multiplier 2
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void everyExactPlanarStrategyComputesTheDataGradient(ConvGeometry g) {
        assertThat(DataGradientConv.applies(g)).isTrue();
        ConvGeometry d = DataGradientConv.geometry(g);
        assertThat(new int[] {d.outC(), d.outH(), d.outW()}).containsExactly(g.inC(), g.inH(), g.inW());
        int batch = 3;
        Random r = new Random(g.hashCode());
        float[] x = gaussian(r, batch * g.inC() * g.inH() * g.inW());
        float[] w = gaussian(r, g.weightCount());
        float[] dy = gaussian(r, batch * g.outC() * g.outH() * g.outW());
        float[] y = new float[dy.length];
        ConvReference.forward(x, batch, g, w, null, y);
        double forwardDot = dot(y, dy);
        float[] viaCol2im = new float[x.length];
        Im2colConv.backward(x, dy, batch, g, w, viaCol2im, null, null);

        int strategies = 0;
        for (ConvStrategy s : ConvStrategies.all()) {
            if (s.blocked() || s.approximate() || !s.computes(d)) continue;
            strategies++;
            float[] dx = new float[x.length];
            s.prepare(d, DataGradientConv.filter(g, w), Epilogue.none(), Parallel.of(2)).forward(dy, null, dx, batch);
            // Sums of a few hundred products of unit-variance floats: 1e-5 of the magnitude is a few roundings.
            assertThat(dot(x, dx)).as(s.name()).isCloseTo(forwardDot, org.assertj.core.data.Offset.offset(1e-5 * norm(x) * norm(dx)));
            double scale = 0;
            for (float v : viaCol2im) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < dx.length; i++) {
                assertThat((double) dx[i]).as("%s [%d]", s.name(), i).isCloseTo(viaCol2im[i], org.assertj.core.data.Offset.offset(2e-6 * scale));
            }
        }
        assertThat(strategies).as("strategies that computed it").isGreaterThanOrEqualTo(2);
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    private static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }
}
