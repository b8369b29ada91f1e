package io.cnnc.kernels.gpu;

import io.cnnc.kernels.ActivationKind;

/**
 * Every activation's GPU form, in one table: its code (the {@code act} argument of the kernels),
 * its forward formula and its derivative in the kernel dialect's C (macros EXP, TANH, ERF, FMIN,
 * FMAX from the prelude). GpuActivationSource writes {@code activate} and {@code activate_grad}
 * from it, so the switch below, with no {@code default}, is the one place a new ActivationKind
 * must be added for the GPU.
 */
public final class GpuActivation {

    public static final int NONE = 0;

    /**
     * One activation in C, of {@code float v} (the input) and {@code float alpha} (LeakyReLU's
     * slope): {@code forward} is an expression, {@code derivative} the statement that returns
     * d act(v) / dv.
     */
    public record Formula(int code, String forward, String derivative) {}

    private GpuActivation() {}

    /** {@code null} (no activation) and IDENTITY are both code 0. */
    public static int code(ActivationKind kind) {
        return kind == null ? NONE : formula(kind).code();
    }

    /** The C macro of a kind's code, as the kernel sources spell it: ACT_NONE for IDENTITY. */
    public static String macro(ActivationKind kind) {
        return kind == ActivationKind.IDENTITY ? "ACT_NONE" : "ACT_" + kind.name();
    }

    /**
     * Comparisons are written so that NaN passes through, as the reference kernels' Math.max
     * does; derivatives take PyTorch's choice at the kinks (ActivationBackward.derivative).
     */
    public static Formula formula(ActivationKind kind) {
        return switch (kind) {
            case IDENTITY -> new Formula(NONE, "v", "return 1.0f;");
            case RELU -> new Formula(1, "v < 0.0f ? 0.0f : v", "return v > 0.0f ? 1.0f : 0.0f;");
            case RELU6 -> new Formula(2, "v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v)", "return v > 0.0f && v < 6.0f ? 1.0f : 0.0f;");
            case LEAKY_RELU -> new Formula(3, "v >= 0.0f ? v : alpha * v", "return v > 0.0f ? 1.0f : alpha;");
            case SIGMOID -> new Formula(4, "1.0f / (1.0f + EXP(-v))", "{ float s = 1.0f / (1.0f + EXP(-v)); return s * (1.0f - s); }");
            case TANH -> new Formula(5, "TANH(v)", "{ float t = TANH(v); return 1.0f - t * t; }");
            // PyTorch's default GELU is the exact erf form; both dialects have a float erf.
            case GELU -> new Formula(6, "0.5f * v * (1.0f + ERF(v * 0.70710678118654752f))",
                    "return 0.5f * (1.0f + ERF(v * 0.70710678118654752f)) + v * EXP(-0.5f * v * v) * 0.39894228040143268f;");
            case SILU -> new Formula(7, "v / (1.0f + EXP(-v))", "{ float s = 1.0f / (1.0f + EXP(-v)); return s * (1.0f + v * (1.0f - s)); }");
            case HARDSWISH -> new Formula(8, "v * FMIN(FMAX(v + 3.0f, 0.0f), 6.0f) / 6.0f",
                    "return v < -3.0f ? 0.0f : (v > 3.0f ? 1.0f : (2.0f * v + 3.0f) / 6.0f);");
            case HARDSIGMOID -> new Formula(9, "FMIN(FMAX(v + 3.0f, 0.0f), 6.0f) / 6.0f", "return v > -3.0f && v < 3.0f ? 1.0f / 6.0f : 0.0f;");
        };
    }
}
