package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.activation.VectorGradient;
import io.cnnc.kernels.backward.ActivationBackward;
import io.cnnc.kernels.reference.ActivationReference;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activations for the training path: ReLU, the one every residual network applies after each
 * conv, gets a loop the JIT vectorizes forward and a vector select backward; an activation that
 * defines its derivative on vectors ({@link VectorGradient}: ReLU6) runs both ways on vectors; the
 * others use the reference formulas.
 */
public final class Activations {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Activations() {}

    public static void forward(ActivationKind kind, double alpha, float[] x, float[] y) {
        if (kind == ActivationKind.RELU) {
            for (int i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0f);
        } else if (kind.definition() instanceof VectorGradient) {
            kind.definition().fast(alpha, x, 0, y, 0, y.length);
        } else {
            ActivationReference.forward(kind, alpha, x, y);
        }
    }

    public static void backward(ActivationKind kind, double alpha, float[] x, float[] dy, float[] dx) {
        if (kind == ActivationKind.RELU) {
            // dy where x > 0, else 0: a select, so the same bits as the scalar loop, a vector at a time.
            int i = 0;
            FloatVector zero = FloatVector.zero(S);
            for (int bound = S.loopBound(x.length); i < bound; i += S.length()) {
                zero.blend(FloatVector.fromArray(S, dy, i), FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f)).intoArray(dx, i);
            }
            for (; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
        } else if (kind.definition() instanceof VectorGradient v) {
            // The scalar formulas in double took a fifth of a MobileNetV2 step for its ReLU6s.
            float a = (float) alpha;
            int i = 0;
            for (int bound = S.loopBound(dx.length); i < bound; i += S.length()) {
                FloatVector.fromArray(S, dy, i).mul(v.derivative(FloatVector.fromArray(S, x, i), a)).intoArray(dx, i);
            }
            for (; i < dx.length; i++) dx[i] = (float) (dy[i] * kind.definition().derivative(x[i], alpha));
        } else {
            ActivationBackward.backward(kind, alpha, x, dy, dx);
        }
    }

    /** y = max(0, a + b) over y's length: a residual sum and the ReLU after it in one pass. */
    public static void addThenRelu(float[] a, float[] b, float[] y) {
        int i = 0;
        for (int bound = S.loopBound(y.length); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).max(0f).intoArray(y, i);
        }
        for (; i < y.length; i++) y[i] = Math.max(a[i] + b[i], 0f);
    }
}
