package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.reference.ActivationReference;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise activations out of place (x and y may be the same array), same arguments as
 * {@link ActivationReference} plus a {@link Parallel}. Every kind but GELU is computed in float
 * on vectors, the last partial vector under a mask, so each element gets the same formula
 * wherever the range split falls; GELU (no vector erf) uses the reference formula per element.
 * Float instead of the reference's double costs a few ulps: the clamps and max are exact, LeakyReLU
 * rounds alpha to float, HardSwish/HardSigmoid round v+3, and SIGMOID/SILU/TANH use the Vector
 * API's exp/tanh, documented to within 1 ulp. NaN propagates as in the reference (MAX/MIN follow
 * Math.max/min; a NaN fails v >= 0 and takes alpha*v, which is NaN).
 */
public final class FastActivation {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MIN_TASK_FLOATS = 16_384;

    private FastActivation() {}

    public static void forward(ActivationKind kind, double alpha, float[] x, float[] y, Parallel p) {
        Chunks.forRanges(p, x.length, MIN_TASK_FLOATS, L, (from, to) -> range(kind, alpha, x, from, y, from, to - from));
    }

    /** y[yOff..yOff+n) = f(x[xOff..xOff+n)); the ranges may be the same. */
    public static void range(ActivationKind kind, double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        switch (kind) {
            case IDENTITY -> {
                if (x != y || xOff != yOff) System.arraycopy(x, xOff, y, yOff, n);
            }
            case GELU -> {
                for (int i = 0; i < n; i++) y[yOff + i] = (float) ActivationReference.apply(kind, alpha, x[xOff + i]);
            }
            default -> vectors(kind, (float) alpha, x, xOff, y, yOff, n);
        }
    }

    /**
     * One loop per kind, each with the formula written out: a shared loop calling a switch per
     * vector grew too big for the JIT to inline, and the vectors it passed were boxed (HardSwish ran
     * 8x slower than an add). The last partial vector goes through the same formula under a mask.
     */
    private static void vectors(ActivationKind kind, float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        switch (kind) {
            case RELU -> relu(x, xOff, y, yOff, n);
            case RELU6 -> relu6(x, xOff, y, yOff, n);
            case LEAKY_RELU -> leakyRelu(x, xOff, y, yOff, n, alpha);
            case HARDSIGMOID -> hardSigmoid(x, xOff, y, yOff, n);
            case HARDSWISH -> hardSwish(x, xOff, y, yOff, n);
            case SIGMOID -> sigmoid(x, xOff, y, yOff, n);
            case SILU -> silu(x, xOff, y, yOff, n);
            case TANH -> tanh(x, xOff, y, yOff, n);
            default -> throw new IllegalArgumentException(kind + " has no vector form");
        }
    }

    private static void relu(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.max(0f).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            v.max(0f).intoArray(y, yOff + i, m);
        }
    }

    private static void relu6(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.max(0f).min(6f).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            v.max(0f).min(6f).intoArray(y, yOff + i, m);
        }
    }

    private static void leakyRelu(float[] x, int xOff, float[] y, int yOff, int n, float alpha) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.mul(alpha).blend(v, v.compare(VectorOperators.GE, 0f)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            v.mul(alpha).blend(v, v.compare(VectorOperators.GE, 0f)).intoArray(y, yOff + i, m);
        }
    }

    private static void hardSigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.add(3f).max(0f).min(6f).div(6f).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            v.add(3f).max(0f).min(6f).div(6f).intoArray(y, yOff + i, m);
        }
    }

    private static void hardSwish(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.mul(v.add(3f).max(0f).min(6f)).div(6f).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            v.mul(v.add(3f).max(0f).min(6f)).div(6f).intoArray(y, yOff + i, m);
        }
    }

    private static void sigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector.broadcast(S, 1f).div(VectorMath.exp(v.neg()).add(1f)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            FloatVector.broadcast(S, 1f).div(VectorMath.exp(v.neg()).add(1f)).intoArray(y, yOff + i, m);
        }
    }

    private static void silu(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.div(VectorMath.exp(v.neg()).add(1f)).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            v.div(VectorMath.exp(v.neg()).add(1f)).intoArray(y, yOff + i, m);
        }
    }

    private static void tanh(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            VectorMath.tanh(v).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xOff + i, m);
            VectorMath.tanh(v).intoArray(y, yOff + i, m);
        }
    }
}
