package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.reference.ActivationReference;

/**
 * What a fused convolution does to each output element after its sum, in this order:
 * add {@code bias[oc]} (BatchNorm already folded in), add the residual input (same index as the
 * output), apply the activation. Identity activation and no bias/residual is a plain convolution.
 */
public record Epilogue(float[] bias, boolean residual, ActivationKind activation, double alpha) {

    public static Epilogue none() {
        return new Epilogue(null, false, ActivationKind.IDENTITY, 0);
    }

    public static Epilogue of(float[] bias, boolean residual, ActivationKind activation, double alpha) {
        return new Epilogue(bias, residual, activation == null ? ActivationKind.IDENTITY : activation, alpha);
    }

    /**
     * Applies the epilogue to {@code len} consecutive outputs of channel {@code oc} starting at
     * {@code y[off]}; {@code res} is read at the same offset when {@link #residual()}.
     */
    public void apply(float[] y, int off, int len, int oc, float[] res) {
        float b = bias == null ? 0f : bias[oc];
        boolean identity = activation == ActivationKind.IDENTITY;
        if (activation == ActivationKind.RELU) {
            if (residual) for (int i = off; i < off + len; i++) y[i] = Math.max(y[i] + b + res[i], 0f);
            else for (int i = off; i < off + len; i++) y[i] = Math.max(y[i] + b, 0f);
            return;
        }
        for (int i = off; i < off + len; i++) {
            float v = y[i] + b;
            if (residual) v += res[i];
            y[i] = identity ? v : (float) ActivationReference.apply(activation, alpha, v);
        }
    }
}
