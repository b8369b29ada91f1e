package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Im2colConv;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The depthwise data gradient against im2col, GEMM and col2im (itself held to finite
 * differences, GradientCheckTest): strides 1 and 2, odd and even planes, planes narrower than a
 * vector, asymmetric pads, a 5x5 and a 3x1 kernel, a channel multiplier of 2, and edges no tap
 * reaches. dx starts as NaN: every element must be written.
 */
class DepthwiseDataGradientTest {

    static List<ConvGeometry> geometries() {
        return List.of(
                new ConvGeometry(6, 17, 15, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 6),
                new ConvGeometry(6, 16, 16, 6, 3, 3, 2, 2, 1, 0, 1, 0, 1, 1, 6),
                new ConvGeometry(12, 32, 32, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 12),
                new ConvGeometry(8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8),
                new ConvGeometry(5, 4, 4, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(4, 11, 9, 4, 5, 5, 2, 2, 2, 2, 1, 3, 1, 1, 4),
                new ConvGeometry(4, 10, 10, 8, 3, 1, 2, 1, 1, 1, 0, 0, 1, 1, 4),
                new ConvGeometry(3, 16, 16, 3, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 3));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void matchesCol2im(ConvGeometry g) {
        int batch = 3;
        Random r = new Random(g.hashCode());
        float[] x = new float[batch * g.inC() * g.inH() * g.inW()];
        float[] dy = new float[batch * g.outC() * g.outH() * g.outW()];
        float[] w = new float[g.weightCount()];
        for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        float[] want = new float[x.length];
        Im2colConv.backward(x, dy, batch, g, w, want, null, null);
        float[] dx = new float[x.length];
        java.util.Arrays.fill(dx, Float.NaN);
        DepthwiseDataGradient.compute(dy, w, batch, g, dx);
        for (int i = 0; i < dx.length; i++) {
            // A handful of products of unit normals: float rounding of sums below 20.
            assertThat((double) dx[i]).as("dx[%d]", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(want[i]))));
        }
    }
}
