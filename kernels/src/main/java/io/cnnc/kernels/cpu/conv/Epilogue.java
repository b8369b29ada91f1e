package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.cpu.FastActivation;
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
     * {@code y[off]}; {@code res} is read at the same offset when {@link #residual()}. Bias,
     * residual and ReLU in one pass of vectors (the last one masked); any other activation then
     * runs over the same range, still in L1, through {@link FastActivation}'s loop for its kind.
     * No vector is passed to another method: one the JIT does not inline is boxed on the heap, and
     * a switch over every activation per vector grew too big to inline (ResNet-18 ran up to 30%
     * slower in some JVM runs).
     */
    public void apply(float[] y, int off, int len, int oc, float[] res) {
        float b = bias == null ? 0f : bias[oc];
        boolean relu = activation == ActivationKind.RELU;
        if (b != 0f || residual || relu) {
            FloatVector vb = FloatVector.broadcast(S, b);
            int i = 0;
            for (int bound = S.loopBound(len); i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, y, off + i).add(vb);
                if (residual) v = v.add(FloatVector.fromArray(S, res, off + i));
                if (relu) v = v.max(0f);
                v.intoArray(y, off + i);
            }
            if (i < len) {
                // Only the tail is masked: masked loads and stores cost several times a plain one.
                VectorMask<Float> m = S.indexInRange(i, len);
                FloatVector v = FloatVector.fromArray(S, y, off + i, m).add(vb);
                if (residual) v = v.add(FloatVector.fromArray(S, res, off + i, m));
                if (relu) v = v.max(0f);
                v.intoArray(y, off + i, m);
            }
        }
        if (!relu && activation != ActivationKind.IDENTITY) FastActivation.range(activation, alpha, y, off, y, off, len);
    }
}
