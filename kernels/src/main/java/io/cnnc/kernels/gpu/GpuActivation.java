package io.cnnc.kernels.gpu;

import io.cnnc.kernels.ActivationKind;

/** The activation codes of common.h's {@code activate}. */
public final class GpuActivation {

    public static final int NONE = 0;

    private GpuActivation() {}

    /** {@code null} (no activation) and IDENTITY are both code 0. */
    public static int code(ActivationKind kind) {
        if (kind == null) return NONE;
        return switch (kind) {
            case IDENTITY -> NONE;
            case RELU -> 1;
            case RELU6 -> 2;
            case LEAKY_RELU -> 3;
            case SIGMOID -> 4;
            case TANH -> 5;
            case GELU -> 6;
            case SILU -> 7;
            case HARDSWISH -> 8;
            case HARDSIGMOID -> 9;
        };
    }
}
