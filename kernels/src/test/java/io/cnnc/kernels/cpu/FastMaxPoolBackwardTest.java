package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.PoolGeometry;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vector 2x2 max-pool gradient against a plain loop: each window's gradient to its first
 * maximal input in reading order. Inputs are rounded to quarters so that ties are common, and
 * widths cover whole vectors, masked ends (LeNet-5's 28 and 10), odd sizes no window covers,
 * and rows narrower than a vector.
 */
class FastMaxPoolBackwardTest {

    @ParameterizedTest
    @CsvSource({"28, 28", "10, 10", "2, 2", "7, 9", "64, 66", "5, 34", "33, 35", "12, 96"})
    void matchesTheFirstMaximumOfEachWindow(int inH, int inW) {
        int batch = 3, channels = 2;
        PoolGeometry g = new PoolGeometry(channels, inH, inW, 2, 2, 2, 2, 0, 0, 0, 0, false);
        assertThat(FastMaxPoolBackward.applies(g)).isTrue();
        Random r = new Random(inH * 100 + inW);
        float[] x = new float[batch * channels * inH * inW];
        for (int i = 0; i < x.length; i++) x[i] = Math.round(r.nextGaussian() * 2) / 4f;
        float[] dy = new float[batch * channels * g.outH() * g.outW()];
        for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();
        float[] dx = new float[x.length];
        Arrays.fill(dx, Float.NaN); // every element must be written
        FastMaxPoolBackward.backward2x2(x, dy, batch, g, dx);
        assertThat(dx).containsExactly(plain(x, dy, batch * channels, g));
    }

    @ParameterizedTest
    @CsvSource({"3, 2, 2, 0", "2, 2, 1, 0", "2, 2, 2, 1"})
    void otherWindowsAreNotItsToCompute(int kernel, int stride, int strideW, int pad) {
        PoolGeometry g = new PoolGeometry(1, 8, 8, kernel, 2, stride, strideW, pad, pad, pad, pad, false);
        assertThat(FastMaxPoolBackward.applies(g)).isFalse();
    }

    private static float[] plain(float[] x, float[] dy, int planes, PoolGeometry g) {
        float[] dx = new float[x.length];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++) {
                    int best = -1;
                    for (int ky = 0; ky < 2; ky++) {
                        for (int kx = 0; kx < 2; kx++) {
                            int at = (p * g.inH() + 2 * oy + ky) * g.inW() + 2 * ox + kx;
                            if (best < 0 || x[at] > x[best]) best = at;
                        }
                    }
                    dx[best] += dy[(p * g.outH() + oy) * g.outW() + ox];
                }
            }
        }
        return dx;
    }
}
