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
 * differences, GradientCheckTest) on {@link DepthwiseGeometries}. dx starts as NaN: every
 * element must be written.
 */
class DepthwiseDataGradientTest {

    static List<ConvGeometry> geometries() {
        return DepthwiseGeometries.all();
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
