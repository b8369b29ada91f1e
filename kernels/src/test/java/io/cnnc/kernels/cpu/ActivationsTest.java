package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.backward.ActivationBackward;
import io.cnnc.kernels.reference.ActivationReference;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The training path's activations (vector loops for ReLU and the {@code VectorGradient} kinds)
 * against the reference formulas, forward and backward, on values around each kink (0, 6) and
 * on a length that leaves a scalar tail.
 */
class ActivationsTest {

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void trainingActivationsMatchTheReference(ActivationKind kind) {
        Random r = new Random(kind.ordinal());
        int n = 16 * 7 + 5;
        float[] x = new float[n];
        float[] dy = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 9 == 0 ? 0f : i % 13 == 0 ? 6f : (float) (r.nextGaussian() * 5);
            dy[i] = (float) r.nextGaussian();
        }
        double alpha = 0.1;
        float[] y = new float[n];
        float[] want = new float[n];
        Activations.forward(kind, alpha, x, y);
        ActivationReference.forward(kind, alpha, x, want);
        for (int i = 0; i < n; i++) assertThat(y[i]).as("%s forward [%d] at %s", kind, i, x[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-6f * Math.max(1, Math.abs(want[i]))));
        float[] dx = new float[n];
        float[] dxWant = new float[n];
        Activations.backward(kind, alpha, x, dy, dx);
        ActivationBackward.backward(kind, alpha, x, dy, dxWant);
        for (int i = 0; i < n; i++) assertThat(dx[i]).as("%s backward [%d] at %s", kind, i, x[i]).isCloseTo(dxWant[i], org.assertj.core.data.Offset.offset(1e-6f * Math.max(1, Math.abs(dxWant[i]))));
    }

    /** A residual add's gradient: dy (masked where the folded ReLU's output is not positive) into every input's array, each written whole. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"1, true", "2, true", "3, false", "2, false"})
    void passThroughWritesTheMaskedGradientIntoEveryInput(int inputs, boolean relu) {
        Random r = new Random(inputs);
        int n = 70_001; // several chunks and a scalar end
        float[] dy = new float[n];
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            dy[i] = (float) r.nextGaussian();
            out[i] = i % 3 == 0 ? 0f : (float) Math.abs(r.nextGaussian());
        }
        float[][] dxs = new float[inputs + 1][];
        for (int k = 1; k <= inputs; k++) {
            dxs[k] = new float[n];
            java.util.Arrays.fill(dxs[k], Float.NaN);
        }
        Activations.passThrough(relu ? out : null, dy, dxs);
        float[] want = new float[n];
        for (int i = 0; i < n; i++) want[i] = !relu || out[i] > 0 ? dy[i] : 0f;
        assertThat(dxs[0]).isNull();
        for (int k = 1; k <= inputs; k++) assertThat(dxs[k]).containsExactly(want);
    }
}
