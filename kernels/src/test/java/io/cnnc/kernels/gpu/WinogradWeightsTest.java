package io.cnnc.kernels.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * U = G g G^T checked through what it is for: transforming a 4x4 input tile with B^T d B,
 * multiplying elementwise by U and transforming back with A^T m A gives the 2x2 valid
 * correlation of the tile with g, as in Lavin and Gray's F(2x2, 3x3).
 */
class WinogradWeightsTest {

    private static final double[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    private static final double[][] AT = {{1, 1, 1, 0}, {0, 1, -1, -1}};

    @Test
    void transformedWeightsComputeTheCorrelationOfATile() {
        Random r = new Random(5);
        float[] g = new float[2 * 3 * 9];
        for (int i = 0; i < g.length; i++) g[i] = r.nextFloat() * 2 - 1;
        float[] u = WinogradWeights.transform(g, 2, 3);
        double[][] d = new double[4][4];
        for (double[] row : d) for (int j = 0; j < 4; j++) row[j] = r.nextDouble() * 2 - 1;
        for (int k = 0; k < 2; k++) {
            for (int c = 0; c < 3; c++) {
                double[][] v = mul(mul(BT, d), transpose(BT));
                double[][] m = new double[4][4];
                for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) m[i][j] = v[i][j] * u[((i * 4 + j) * 2 + k) * 3 + c];
                double[][] y = mul(mul(AT, m), transpose(AT));
                for (int oy = 0; oy < 2; oy++) {
                    for (int ox = 0; ox < 2; ox++) {
                        double want = 0;
                        for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) want += d[oy + ky][ox + kx] * g[(k * 3 + c) * 9 + ky * 3 + kx];
                        assertThat(y[oy][ox]).isCloseTo(want, within(1e-6));
                    }
                }
            }
        }
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] out = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < b[0].length; j++) for (int t = 0; t < b.length; t++) out[i][j] += a[i][t] * b[t][j];
        return out;
    }

    private static double[][] transpose(double[][] a) {
        double[][] out = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) out[j][i] = a[i][j];
        return out;
    }
}
