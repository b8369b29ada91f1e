package io.cnnc.kernels.gpu;

import io.cnnc.kernels.ActivationKind;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The activation parts of the GPU program, written from GpuActivation's table: the ACT_* codes,
 * {@code activate} (in common.h) and {@code activate_grad} (in backward.cl). GpuSource puts them
 * where those files have a {@code @generated} marker.
 */
public final class GpuActivationSource {

    /**
     * What an unknown code gives: NaN rather than the input (or 1 for a derivative), so an
     * activation missing from the table spoils every value it touches instead of computing the
     * wrong thing quietly.
     */
    private static final String UNKNOWN = "default: return QNAN;";

    private GpuActivationSource() {}

    /** {@code #define ACT_... code} for every kind, in code order. */
    public static String codes() {
        StringBuilder sb = new StringBuilder("/* Activation codes: GpuActivation.code maps ActivationKind to these; 0 is no activation. */\n");
        for (ActivationKind k : kinds()) sb.append("#define ").append(GpuActivation.macro(k)).append(' ').append(GpuActivation.code(k)).append('\n');
        return sb.toString();
    }

    /** {@code activate(v, act, alpha)}: the forward formulas. */
    public static String forward() {
        return "/* Comparisons are written so that NaN passes through, as the reference kernels' Math.max does. */\n"
                + function("activate", k -> "return " + GpuActivation.formula(k).forward() + ";");
    }

    /** {@code activate_grad(v, act, alpha)}: d act(v) / dv. */
    public static String derivative() {
        return "/* d act(v) / dv, PyTorch's choice at the kinks (ActivationBackward.derivative). */\n"
                + function("activate_grad", k -> GpuActivation.formula(k).derivative());
    }

    private static String function(String name, Function<ActivationKind, String> body) {
        StringBuilder sb = new StringBuilder("DEVICE_FN float ").append(name).append("(float v, int act, float alpha) {\n    switch (act) {\n");
        for (ActivationKind k : kinds()) sb.append("        case ").append(GpuActivation.macro(k)).append(": ").append(body.apply(k)).append('\n');
        return sb.append("        ").append(UNKNOWN).append("\n    }\n}\n").toString();
    }

    private static List<ActivationKind> kinds() {
        return Arrays.stream(ActivationKind.values()).sorted(Comparator.comparingInt(GpuActivation::code)).toList();
    }
}
