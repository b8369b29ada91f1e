package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Two accumulated products A B^T, reduced once, against the sum of products in double. */
class LanePartialProductsTest {

    @ParameterizedTest
    @CsvSource({"16, 144, 1024", "4, 4, 16", "5, 7, 19", "3, 2, 5", "64, 576, 64", "9, 13, 37"})
    void accumulatedProductsMatchDoubleSums(int m, int n, int k) {
        Random r = new Random(m * 31 + n * 7 + k);
        float[][] as = new float[2][m * k + 3];
        float[][] bs = new float[2][n * k + 5];
        for (float[] a : as) for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (float[] b : bs) for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        float[] acc = new float[2 + LanePartialProducts.size(m, n)];
        // Offsets everywhere, as the weight gradient slices samples and groups.
        for (int s = 0; s < 2; s++) LanePartialProducts.accumulate(m, n, k, as[s], 3, bs[s], 5, acc, 2);
        float[] c = new float[1 + m * n];
        java.util.Arrays.fill(c, 0.5f);
        LanePartialProducts.reduce(m, n, acc, 2, c, 1);
        assertThat(c[0]).isEqualTo(0.5f);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double want = 0.5;
                for (int s = 0; s < 2; s++) for (int p = 0; p < k; p++) want += (double) as[s][3 + i * k + p] * bs[s][5 + j * k + p];
                // 2k products of unit normals: float rounding grows like sqrt(2k) ulps of terms near 1.
                assertThat((double) c[1 + i * n + j]).as("(%d, %d)", i, j).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 * Math.sqrt(2.0 * k) * 4));
            }
        }
    }
}
