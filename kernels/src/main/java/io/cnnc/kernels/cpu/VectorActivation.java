package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ActivationKind;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** The activations on one vector, for kernels that apply them in registers (conv epilogues). */
public final class VectorActivation {

    private VectorActivation() {}

    /**
     * One activation on a vector (every kind but GELU). Math.max semantics (NaN propagates), as
     * the reference has; leaky ReLU keeps NaN because NaN &lt; 0 is false.
     */
    public static FloatVector apply(ActivationKind kind, float alpha, FloatVector v) {
        return switch (kind) {
            case IDENTITY -> v;
            case RELU -> v.max(0f);
            case RELU6 -> v.max(0f).min(6f);
            case LEAKY_RELU -> v.blend(v.mul(alpha), v.compare(VectorOperators.LT, 0f));
            case SIGMOID -> VectorMath.sigmoid(v);
            case SILU -> v.div(VectorMath.exp(v.neg()).add(1f));
            case TANH -> VectorMath.tanh(v);
            case HARDSIGMOID -> v.add(3f).max(0f).min(6f).div(6f);
            case HARDSWISH -> v.mul(v.add(3f).max(0f).min(6f)).div(6f);
            case GELU -> throw new IllegalArgumentException("GELU has no vector form here");
        };
    }
}
