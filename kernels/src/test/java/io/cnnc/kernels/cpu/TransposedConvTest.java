package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.reference.ConvReference;
import io.cnnc.kernels.reference.TransposedConvReference;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transposed convolution's fast forward (GEMM and col2im) against its definition in double,
 * and the definition itself against the adjoint identity: for the convolution g it transposes,
 * sum(conv_g(a) * b) = sum(a * deconv_g(b)) for any a and b, which pins down every index of the
 * reference without PyTorch (PyTorch's own outputs are checked in OnnxDeconvTest).
 */
class TransposedConvTest {

    static Stream<ConvGeometry> geometries() {
        return Stream.of(
                new ConvGeometry(8, 10, 8, 6, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 1),   // DCGAN-style up-sampling
                new ConvGeometry(4, 10, 10, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),  // with output padding 1 (10 = 2*5 - 2 + 2 + 1 - 1)
                new ConvGeometry(6, 9, 9, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 2),    // groups 2, dilation 2
                new ConvGeometry(3, 13, 9, 6, 3, 5, 3, 2, 0, 2, 1, 1, 1, 1, 1));  // unequal strides, asymmetric padding
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void fastForwardMatchesTheDefinition(ConvGeometry g) {
        Random r = new Random(3);
        int batch = 3;
        float[] x = uniform(r, batch * g.outC() * g.outH() * g.outW());
        float[] w = uniform(r, g.weightCount());
        float[] bias = uniform(r, g.inC());
        float[] want = new float[batch * g.inC() * g.inH() * g.inW()];
        TransposedConvReference.forward(x, batch, g, w, bias, want);
        float[] got = new float[want.length];
        java.util.Arrays.fill(got, Float.NaN);
        TransposedConv.forward(x, batch, g, w, bias, got);
        double scale = 0, worst = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
        }
        assertThat(worst / scale).as(g.toString()).isLessThan(1e-5);
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void theDefinitionIsTheConvolutionsAdjoint(ConvGeometry g) {
        Random r = new Random(7);
        float[] a = uniform(r, g.inC() * g.inH() * g.inW());
        float[] b = uniform(r, g.outC() * g.outH() * g.outW());
        float[] w = uniform(r, g.weightCount());
        float[] convA = new float[b.length];
        ConvReference.forward(a, 1, g, w, null, convA);
        float[] deconvB = new float[a.length];
        TransposedConvReference.forward(b, 1, g, w, null, deconvB);
        double left = 0, right = 0, size = 0;
        for (int i = 0; i < b.length; i++) left += (double) convA[i] * b[i];
        for (int i = 0; i < a.length; i++) {
            right += (double) a[i] * deconvB[i];
            size += Math.abs((double) a[i] * deconvB[i]);
        }
        assertThat(Math.abs(left - right)).as(g.toString()).isLessThan(1e-6 * size);
    }

    private static float[] uniform(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextFloat() * 2 - 1;
        return v;
    }
}
