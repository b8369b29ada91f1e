package io.cnnc.kernels.gpu;

import io.cnnc.kernels.ActivationKind;

/**
 * Every activation's GPU form, as its definition gives it (Activation.gpu): its code (the
 * {@code act} argument of the kernels), its forward formula and its derivative in the kernel
 * dialect's C (macros EXP, LOG, TANH, ERF, FMIN, FMAX from the prelude). GpuActivationSource
 * writes {@code activate} and {@code activate_grad} from them.
 */
public final class GpuActivation {

    public static final int NONE = 0;

    /**
     * One activation in C, of {@code float v} (the input) and {@code float alpha} (LeakyReLU's
     * slope): {@code forward} is an expression, {@code derivative} the statement that returns
     * d act(v) / dv. Comparisons are written so that NaN passes through, as the reference
     * kernels' Math.max does; derivatives take PyTorch's choice at the kinks.
     */
    public record Formula(int code, String forward, String derivative) {}

    private GpuActivation() {}

    /** {@code null} (no activation) and IDENTITY are both code 0. */
    public static int code(ActivationKind kind) {
        return kind == null ? NONE : formula(kind).code();
    }

    /** The C macro of a kind's code, as the kernel sources spell it: ACT_NONE for IDENTITY. */
    public static String macro(ActivationKind kind) {
        return code(kind) == NONE ? "ACT_NONE" : "ACT_" + kind.name();
    }

    public static Formula formula(ActivationKind kind) {
        return kind.definition().gpu();
    }
}
