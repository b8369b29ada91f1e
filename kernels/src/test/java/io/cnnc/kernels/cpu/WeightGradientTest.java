package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ChannelsLastWeightGradient;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Im2colConv's weight and bias gradients against the sum of products in double, on each of its
 * paths: shifted input rows (stride 1, 512 pixels or more), several samples side by side (few
 * pixels), and plain im2col (strided); with asymmetric padding and groups. And the
 * channels-last form ({@link ChannelsLastWeightGradient}) against the same sums.
 */
class WeightGradientTest {

    static List<ConvGeometry> geometries() {
        return List.of(
                new ConvGeometry(4, 32, 24, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),   // shifted rows
                new ConvGeometry(3, 30, 20, 5, 5, 3, 1, 1, 2, 0, 1, 2, 1, 1, 1),   // shifted rows, asymmetric pads
                new ConvGeometry(6, 32, 16, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),   // shifted rows, groups
                new ConvGeometry(8, 8, 8, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),    // samples side by side
                new ConvGeometry(4, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),     // strided
                new ConvGeometry(8, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8));    // depthwise, side by side
    }

    /**
     * Channels last: whole, partial and several channel vectors; outC past the register blocks;
     * strides, dilation, asymmetric pads; rows wide enough for the slid taps, and for the three
     * taps together at stride 2.
     */
    static List<ConvGeometry> channelsLastGeometries() {
        return List.of(
                new ConvGeometry(16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(20, 7, 9, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(48, 6, 6, 12, 3, 3, 2, 2, 1, 0, 1, 1, 1, 1, 1),
                new ConvGeometry(64, 10, 10, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1),
                new ConvGeometry(32, 5, 5, 8, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(16, 12, 11, 7, 5, 3, 1, 2, 2, 1, 2, 1, 1, 1, 1),
                new ConvGeometry(16, 18, 20, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),    // rows of 16+ pixels: taps slid along
                new ConvGeometry(20, 5, 17, 8, 3, 3, 1, 1, 0, 1, 2, 1, 1, 1, 1),
                new ConvGeometry(16, 7, 33, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),    // stride 2, rows of 17: three taps loaded per pixel
                new ConvGeometry(32, 6, 32, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1));
    }

    static List<ConvGeometry> depthwiseGeometries() {
        return io.cnnc.kernels.cpu.conv.DepthwiseGeometries.all();
    }

    @ParameterizedTest
    @MethodSource("depthwiseGeometries")
    void theDepthwiseFormAddsTheSameSums(ConvGeometry g) {
        assertThat(io.cnnc.kernels.cpu.conv.DepthwiseWeightGradient.applies(g)).isTrue();
        int batch = 5;
        Random r = new Random(g.hashCode());
        float[] x = normals(r, batch * g.inC() * g.inH() * g.inW());
        float[] dy = normals(r, batch * g.outC() * g.outH() * g.outW());
        float[] dw = new float[g.weightCount()];
        java.util.Arrays.fill(dw, 0.25f);
        io.cnnc.kernels.cpu.conv.DepthwiseWeightGradient.accumulate(x, dy, batch, g, dw);
        assertSumsOfProducts(g, x, dy, batch, dw);
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void weightAndBiasGradientsAreSumsOfProducts(ConvGeometry g) {
        int batch = 5;
        Random r = new Random(g.hashCode());
        float[] x = normals(r, batch * g.inC() * g.inH() * g.inW());
        float[] dy = normals(r, batch * g.outC() * g.outH() * g.outW());
        float[] dw = new float[g.weightCount()];
        float[] db = new float[g.outC()];
        java.util.Arrays.fill(dw, 0.25f);   // gradients are added to
        Im2colConv.backward(x, dy, batch, g, new float[g.weightCount()], null, dw, db);
        for (int o = 0; o < g.outC(); o++) {
            double bias = 0;
            for (int n = 0; n < batch; n++) for (int p = 0; p < g.outH() * g.outW(); p++) bias += dy[(n * g.outC() + o) * g.outH() * g.outW() + p];
            assertThat((double) db[o]).as("db[%d]", o).isCloseTo(bias, org.assertj.core.data.Offset.offset(1e-4));
        }
        assertSumsOfProducts(g, x, dy, batch, dw);
    }

    @ParameterizedTest
    @MethodSource("channelsLastGeometries")
    void theChannelsLastFormAddsTheSameSums(ConvGeometry g) {
        int batch = 7;   // one worker gets an odd count: a partial chunk of samples
        Random r = new Random(g.hashCode());
        float[] x = normals(r, batch * g.inC() * g.inH() * g.inW());
        float[] dy = normals(r, batch * g.outC() * g.outH() * g.outW());
        float[] dw = new float[g.weightCount()];
        java.util.Arrays.fill(dw, 0.25f);
        ChannelsLastWeightGradient.accumulate(x, dy, batch, g, dw);
        assertSumsOfProducts(g, x, dy, batch, dw);
    }

    private static float[] normals(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** dw is 0.25 plus the sum over samples and pixels of dy times the input under each tap, in double. */
    private static void assertSumsOfProducts(ConvGeometry g, float[] x, float[] dy, int batch, float[] dw) {
        int inPer = g.inC() / g.groups();
        int outPer = g.outC() / g.groups();
        for (int o = 0; o < g.outC(); o++) {
            for (int c = 0; c < inPer; c++) {
                int ic = o / outPer * inPer + c;
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    for (int kx = 0; kx < g.kernelW(); kx++) {
                        double s = 0.25;
                        for (int n = 0; n < batch; n++) {
                            for (int oy = 0; oy < g.outH(); oy++) {
                                for (int ox = 0; ox < g.outW(); ox++) {
                                    int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                    int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (iy < 0 || ix < 0 || iy >= g.inH() || ix >= g.inW()) continue;
                                    s += (double) dy[((n * g.outC() + o) * g.outH() + oy) * g.outW() + ox] * x[((n * g.inC() + ic) * g.inH() + iy) * g.inW() + ix];
                                }
                            }
                        }
                        // Sums of a few thousand products of unit normals, in float: a few roundings of a sum near 50.
                        assertThat((double) dw[((o * inPer + c) * g.kernelH() + ky) * g.kernelW() + kx]).as("dw %d %d %d %d", o, c, ky, kx)
                                .isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(s)) + 2e-4));
                    }
                }
            }
        }
    }
}
