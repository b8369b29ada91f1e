package io.cnnc.kernels.cpu.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.cpu.Parallel;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reorders against the layout's definition, element by element: NCHWbc element (n, c, p) sits
 * at ((n * C/b + c/b) * spatial + p) * b + c % b, b = {@link Nchwc#BLOCK} (16 or 8: the kernels
 * module's tests run both). Spatial sizes cover whole tiles of b pixels (the register
 * transposes), tails of every length, and fewer pixels than one tile; both directions, one and
 * two threads. Data movement only, so results must be exact.
 */
class NchwcTest {

    private static final int B = Nchwc.BLOCK;

    @ParameterizedTest
    @CsvSource({"1, 16, 16", "2, 32, 49", "1, 48, 3136", "1, 16, 5", "2, 64, 17", "1, 16, 31", "3, 32, 196"})
    void reordersPutEveryElementWhereTheLayoutSays(int batch, int channels, int spatial) {
        float[] x = new float[batch * channels * spatial];
        Random r = new Random(channels * 31 + spatial);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        for (int threads = 1; threads <= 2; threads++) {
            float[] blocked = new float[x.length];
            Nchwc.toBlocked(x, blocked, batch, channels, spatial, Parallel.of(threads));
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < channels; c++) {
                    for (int p = 0; p < spatial; p++) {
                        int planar = (n * channels + c) * spatial + p;
                        int block = ((n * (channels / B) + c / B) * spatial + p) * B + c % B;
                        assertThat(blocked[block]).as("n %d c %d p %d", n, c, p).isEqualTo(x[planar]);
                    }
                }
            }
            float[] back = new float[x.length];
            Nchwc.toPlanar(blocked, back, batch, channels, spatial, Parallel.of(threads));
            assertThat(back).containsExactly(x);
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 16, 40", "3, 20, 37", "5, 7, 9"})
    void blockPixelsWritesOnlyItsRun(int src, int stride, int count) {
        float[] x = new float[src + (B - 1) * stride + count];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        int dst = 7;
        float[] y = new float[dst + count * B + 5];
        Nchwc.blockPixels(x, src, stride, y, dst, count);
        for (int i = 0; i < y.length; i++) {
            int k = i - dst;
            float want = k >= 0 && k < count * B ? x[src + (k % B) * stride + k / B] : 0f;
            assertThat(y[i]).as("y[%d]", i).isEqualTo(want);
        }
    }
}
