package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.reference.ActivationReference;
import io.cnnc.kernels.cpu.VectorActivation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a fused convolution does to each output element after its sum, in this order:
 * add {@code bias[oc]} (BatchNorm already folded in), add the residual input (same index as the
 * output), apply the activation. Identity activation and no bias/residual is a plain convolution.
 */
public record Epilogue(float[] bias, boolean residual, ActivationKind activation, double alpha) {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public static Epilogue none() {
        return new Epilogue(null, false, ActivationKind.IDENTITY, 0);
    }

    public static Epilogue of(float[] bias, boolean residual, ActivationKind activation, double alpha) {
        return new Epilogue(bias, residual, activation == null ? ActivationKind.IDENTITY : activation, alpha);
    }

    /**
     * Applies the epilogue to {@code len} consecutive outputs of channel {@code oc} starting at
     * {@code y[off]}; {@code res} is read at the same offset when {@link #residual()}. A vector
     * at a time (masked at the end), every activation but GELU in registers.
     */
    public void apply(float[] y, int off, int len, int oc, float[] res) {
        float b = bias == null ? 0f : bias[oc];
        if (activation == ActivationKind.GELU) {
            for (int i = off; i < off + len; i++) {
                float v = y[i] + b;
                if (residual) v += res[i];
                y[i] = (float) ActivationReference.apply(activation, alpha, v);
            }
            return;
        }
        float a = (float) alpha;
        FloatVector vb = FloatVector.broadcast(S, b);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, y, off + i).add(vb);
            if (residual) v = v.add(FloatVector.fromArray(S, res, off + i));
            VectorActivation.apply(activation, a, v).intoArray(y, off + i);
        }
        if (i < len) {
            // Only the tail is masked: masked loads and stores cost several times a plain one.
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector v = FloatVector.fromArray(S, y, off + i, m).add(vb);
            if (residual) v = v.add(FloatVector.fromArray(S, res, off + i, m));
            VectorActivation.apply(activation, a, v).intoArray(y, off + i, m);
        }
    }
}
