package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.kernels.reference.DenseReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FastDenseTest {

    private static final double EPS = Math.ulp(1f) / 2; // 2^-24

    /**
     * Batches 1, 3 and 7 take the matrix-vector path, 8, 9 and 37 the packed GEMM (37 spans two
     * 32-column panels); sizes straddle the 16-lane vectors and the 4-row blocks.
     */
    @ParameterizedTest
    @CsvSource({
        "1,1,1", "1,17,3", "3,17,3", "1,512,1000", "3,100,37", "7,33,9", "8,33,9", "9,300,70", "37,129,21", "1,15,130", "3,600,257"
    })
    void matchesTheReference(int batch, int inF, int outF) {
        float[] x = FastArrays.random(batch * inF, inF * 7L + batch);
        float[] w = FastArrays.random(outF * inF, outF * 13L + inF);
        float[] bias = FastArrays.random(outF, outF);
        for (boolean withBias : new boolean[] {true, false}) {
            float[] b = withBias ? bias : null;
            float[] want = new float[batch * outF];
            DenseReference.forward(x, batch, inF, outF, w, b, want);
            float[] first = null;
            for (int threads : new int[] {1, 2}) {
                float[] got = new float[want.length];
                FastDense.prepare(w, b, inF, outF, Parallel.of(threads)).forward(x, got, batch);
                for (int n = 0; n < batch; n++) {
                    for (int o = 0; o < outF; o++) {
                        // Any order of float summation of k terms errs by at most k * 2^-24 * sum|terms|
                        // (plus the bias add): a bound that holds for the lane-blocked and GEMM orders alike.
                        double abs = withBias ? Math.abs(bias[o]) : 0;
                        for (int i = 0; i < inF; i++) abs += Math.abs((double) x[n * inF + i] * w[o * inF + i]);
                        double tol = (inF + 2) * EPS * abs;
                        if (Math.abs(got[n * outF + o] - (double) want[n * outF + o]) <= tol) continue;
                        assertThat((double) got[n * outF + o]).as("y[%d][%d] threads %d bias %s", n, o, threads, withBias)
                                .isCloseTo(want[n * outF + o], org.assertj.core.data.Offset.offset(tol));
                    }
                }
                if (first == null) first = got;
                else FastArrays.assertIdentical(got, first, "threads change the result");
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1", "3", "5"})
    void aPreparedLayerCanRunManyBatchSizesInTurn(int batch) {
        int inF = 70, outF = 50;
        float[] w = FastArrays.random(outF * inF, 3);
        FastDense dense = FastDense.prepare(w, null, inF, outF, Parallel.of(2));
        for (int b : new int[] {batch, 2 * batch + 1, batch}) {
            float[] x = FastArrays.random(b * inF, b);
            float[] want = new float[b * outF];
            DenseReference.forward(x, b, inF, outF, w, null, want);
            float[] got = new float[want.length];
            dense.forward(x, got, b);
            FastArrays.assertClose(got, want, 1e-4, "batch " + b); // inF=70 unit normals: the bound above is ~1e-4
        }
    }

    @org.junit.jupiter.api.Test
    void rejectsAWeightOfTheWrongSize() {
        assertThatThrownBy(() -> FastDense.prepare(new float[10], null, 4, 3, Parallel.serial()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3x4");
    }
}
