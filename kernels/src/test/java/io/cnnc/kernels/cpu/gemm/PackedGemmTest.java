package io.cnnc.kernels.cpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.cpu.Parallel;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PackedGemmTest {

    /** Sum in double of A B (+ C0): the obviously correct product. */
    private static double[] naive(int m, int n, int k, float[] a, float[] b, float[] c0) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = c0 == null ? 0 : c0[i * n + j];
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        }
        return c;
    }

    private static float[] random(Random r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) (r.nextGaussian());
        return v;
    }

    /**
     * Tolerance: float sums of k products of unit normals err by at most about k * 2^-24 *
     * sum|a*b| (pairwise worst case); we allow 4 * k * eps * sqrt(k) scale, far below any real bug
     * (a dropped or doubled term is of order 1).
     */
    @ParameterizedTest
    @CsvSource({"1,1,1", "8,32,256", "7,33,5", "17,100,300", "64,50,513", "9,31,1", "130,70,600", "3,200,64", "19,45,1100"})
    void matchesNaiveProductForOddShapes(int m, int n, int k) {
        Random r = new Random(m * 1000003L + n * 1009L + k);
        float[] a = random(r, m * k);
        float[] b = random(r, k * n);
        float[] c0 = random(r, m * n);
        double tol = 4 * Math.ulp(1f) * k * Math.sqrt(k) + 1e-6;
        for (boolean accumulate : new boolean[] {false, true}) {
            for (int threads : new int[] {1, 3}) {
                float[] c = c0.clone();
                PackedGemm.multiply(PackedA.of(a, 0, m, k, k), BPanels.dense(b, 0, k, n, n), c, 0, n, accumulate, Parallel.of(threads));
                double[] want = naive(m, n, k, a, b, accumulate ? c0 : null);
                for (int i = 0; i < m * n; i++) {
                    assertThat((double) c[i]).as("C[%d] m=%d n=%d k=%d acc=%s threads=%d", i, m, n, k, accumulate, threads)
                            .isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol));
                }
            }
        }
    }

    /** B packed once ({@link PackedB}): same product, and the same bits as B packed per call, for any column split. */
    @ParameterizedTest
    @CsvSource({"1,1,1", "8,32,256", "7,33,5", "17,100,300", "64,50,513", "9,31,1", "16,256,257", "3,200,64", "11,40,1100"})
    void prepackedBMatchesNaiveProductAndPackedPerCall(int m, int n, int k) {
        Random r = new Random(m * 7919L + n * 31L + k);
        int lda = k + 1, ldb = n + 3;
        float[] a = random(r, 2 + m * lda);
        float[] b = random(r, 5 + k * ldb);
        float[] c0 = random(r, m * n);
        PackedA pa = PackedA.of(a, 2, m, k, lda);
        PackedB pb = PackedB.of(b, 5, k, n, ldb);
        double tol = 4 * Math.ulp(1f) * k * Math.sqrt(k) + 1e-6;
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] c = c0.clone();
            PackedGemm.multiply(pa, 0, m, pb, 0, n, c, 0, n, accumulate);
            float[] viaPanels = c0.clone();
            PackedGemm.multiply(pa, 0, m, BPanels.dense(b, 5, k, n, ldb), 0, n, viaPanels, 0, n, accumulate);
            assertThat(c).as("prepacked vs packed per call, m=%d n=%d k=%d", m, n, k).containsExactly(viaPanels);
            float[] pieces = c0.clone();
            int split = n > PackedGemm.NR ? PackedGemm.NR : 0;
            PackedGemm.multiply(pa, 0, m, pb, split, n, pieces, 0, n, accumulate);
            PackedGemm.multiply(pa, 0, m, pb, 0, split, pieces, 0, n, accumulate);
            assertThat(pieces).as("split at column %d", split).containsExactly(c);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = accumulate ? c0[i * n + j] : 0;
                    for (int p = 0; p < k; p++) s += (double) a[2 + i * lda + p] * b[5 + p * ldb + j];
                    assertThat((double) c[i * n + j]).as("C[%d][%d] m=%d n=%d k=%d acc=%s", i, j, m, n, k, accumulate)
                            .isCloseTo(s, org.assertj.core.data.Offset.offset(tol));
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"24,100,70", "65,300,40"})
    void resultDoesNotDependOnTheSplit(int m, int n, int k) {
        Random r = new Random(7);
        float[] a = random(r, m * k);
        float[] b = random(r, k * n);
        PackedA pa = PackedA.of(a, 0, m, k, k);
        BPanels pb = BPanels.dense(b, 0, k, n, n);
        float[] whole = new float[m * n];
        PackedGemm.multiply(pa, 0, m, pb, 0, n, whole, 0, n, false);
        float[] pieces = new float[m * n];
        int split = 2 * PackedGemm.MR;
        PackedGemm.multiply(pa, 0, split, pb, 0, 33, pieces, 0, n, false);
        PackedGemm.multiply(pa, 0, split, pb, 33, n, pieces, 0, n, false);
        PackedGemm.multiply(pa, split, m, pb, 0, n, pieces, 0, n, false);
        assertThat(pieces).containsExactly(whole);
    }

    @ParameterizedTest
    @CsvSource({"5,9,4"})
    void offsetsAndLeadingDimensionsAddressSubmatrices(int m, int n, int k) {
        Random r = new Random(3);
        int lda = k + 3, ldb = n + 5, ldc = n + 2;
        float[] a = random(r, 2 + m * lda);
        float[] b = random(r, 4 + k * ldb);
        float[] c = new float[1 + m * ldc];
        PackedGemm.multiply(PackedA.of(a, 2, m, k, lda), 0, m, BPanels.dense(b, 4, k, n, ldb), 0, n, c, 1, ldc, false);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[2 + i * lda + p] * b[4 + p * ldb + j];
                assertThat((double) c[1 + i * ldc + j]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-5));
            }
            for (int j = n; j < ldc && 1 + i * ldc + j < c.length; j++) assertThat(c[1 + i * ldc + j]).isZero();
        }
    }
}
