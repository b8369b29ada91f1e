package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.ConvOp;
import io.cnnc.compiler.ops.FusedConvOp;

/** Shared by the fusion passes: a conv node seen as a fused conv. */
final class Fusion {

    private Fusion() {}

    static FusedConvOp asFused(Node n) {
        return switch (n.op()) {
            case FusedConvOp f -> f;
            case ConvOp c -> FusedConvOp.of(c, n.name());
            default -> throw new IllegalArgumentException(n.name() + " is not a convolution");
        };
    }

    static boolean isConv(Node n) {
        return n != null && (n.op() instanceof ConvOp || n.op() instanceof FusedConvOp);
    }
}
