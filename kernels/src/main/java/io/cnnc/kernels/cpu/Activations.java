package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.activation.VectorGradient;
import io.cnnc.kernels.backward.ActivationBackward;
import io.cnnc.kernels.reference.ActivationReference;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activations for the training path, on the worker team: ReLU, the one every residual network
 * applies after each conv, runs its fast form ({@link FastActivation}) forward and a vector select
 * backward; an activation that defines its derivative on vectors ({@link VectorGradient}: ReLU6)
 * runs both ways on vectors; the others use the reference formulas.
 */
public final class Activations {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Activations() {}

    /** Elements per task at least, so that a small layer is not shared out (as FastActivation). */
    private static final int MIN_TASK = 16_384;

    /** ReLU and the {@link VectorGradient} kinds through their fast forms, exact for them, on the team; the others as the reference. */
    public static void forward(ActivationKind kind, double alpha, float[] x, float[] y) {
        if (kind == ActivationKind.RELU || kind.definition() instanceof VectorGradient) FastActivation.forward(kind, alpha, x, y, Workers.team());
        else ActivationReference.forward(kind, alpha, x, y);
    }

    public static void backward(ActivationKind kind, double alpha, float[] x, float[] dy, float[] dx) {
        if (kind == ActivationKind.RELU) {
            Chunks.forRanges(Workers.team(), dx.length, MIN_TASK, S.length(), (from, to) -> reluBackward(x, dy, dx, from, to));
        } else if (kind.definition() instanceof VectorGradient v) {
            Chunks.forRanges(Workers.team(), dx.length, MIN_TASK, S.length(), (from, to) -> vectorBackward(kind, v, alpha, x, dy, dx, from, to));
        } else {
            ActivationBackward.backward(kind, alpha, x, dy, dx);
        }
    }

    /**
     * A gradient that flows unchanged to every input (a residual add's), masked by the ReLU folded
     * after it where {@code reluOutput} is given: written into each non-null array of {@code dxs}
     * in one pass over dy, on the team, where a copy per input after the first was a serial pass
     * of its own.
     */
    public static void passThrough(float[] reluOutput, float[] dy, float[][] dxs) {
        float[] first = null, second = null;
        for (float[] d : dxs) {
            if (d == null) continue;
            if (first == null) first = d;
            else if (second == null) second = d;
        }
        if (first == null) return;
        float[] a = first, b = second;
        Chunks.forRanges(Workers.team(), dy.length, MIN_TASK, S.length(), (from, to) -> passThrough(reluOutput, dy, a, b, from, to));
        for (float[] d : dxs) if (d != null && d != a && d != b) System.arraycopy(a, 0, d, 0, d.length);
    }

    private static void passThrough(float[] x, float[] dy, float[] a, float[] b, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, dy, i);
            if (x != null) v = zero.blend(v, FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f));
            v.intoArray(a, i);
            if (b != null) v.intoArray(b, i);
        }
        for (; i < to; i++) {
            float v = x == null || x[i] > 0 ? dy[i] : 0f;
            a[i] = v;
            if (b != null) b[i] = v;
        }
    }

    /** dy where x > 0, else 0: a select, so the same bits as the scalar loop, a vector at a time. */
    private static void reluBackward(float[] x, float[] dy, float[] dx, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            zero.blend(FloatVector.fromArray(S, dy, i), FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f)).intoArray(dx, i);
        }
        for (; i < to; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
    }

    /** The scalar formulas in double took a fifth of a MobileNetV2 step for its ReLU6s. */
    private static void vectorBackward(ActivationKind kind, VectorGradient v, double alpha, float[] x, float[] dy, float[] dx, int from, int to) {
        float a = (float) alpha;
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector.fromArray(S, dy, i).mul(v.derivative(FloatVector.fromArray(S, x, i), a)).intoArray(dx, i);
        }
        for (; i < to; i++) dx[i] = (float) (dy[i] * kind.definition().derivative(x[i], alpha));
    }
}
