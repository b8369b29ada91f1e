package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.Shape;
import java.util.List;

/**
 * What a node computes (never how): its attributes, its shape rule, the tensors it owns and
 * its multiply-accumulate count. Kernels that compute it live in the kernels module.
 */
public sealed interface Op
        permits ConvOp, DenseOp, BatchNormOp, LayerNormOp, ScaleOp, ShiftOp, PoolOp, GlobalPoolOp, AdaptiveAvgPoolOp,
                ActivationOp, SoftmaxOp, FlattenOp, DropoutOp, AddOp, MulOp, ConcatOp, FusedConvOp, ReorderOp, BlockedOp {

    /** The canonical layer name, used in tables and for numbering parameter names. */
    String type();

    /** The output shape, or a {@link ShapeException} saying in words why there is none. */
    Shape outputShape(List<Shape> inputs) throws ShapeException;

    default List<ParamSpec> params(List<Shape> inputs) {
        return List.of();
    }

    /** Multiply-accumulates per sample; 0 for ops that do no multiply-accumulate work. */
    default long macs(List<Shape> inputs, Shape output) {
        return 0;
    }

    /** The spatial window each output position reads, for receptive-field analysis. */
    default Window window(List<Shape> inputs) {
        return Window.POINTWISE;
    }
}
