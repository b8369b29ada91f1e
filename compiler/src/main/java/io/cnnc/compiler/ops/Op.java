package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.Shape;
import java.util.List;

/**
 * What a node computes (never how): its attributes, its shape rule, the tensors it owns, its
 * multiply-accumulate count and its meaning as a reference computation. Kernels that compute it
 * fast live in the kernels module. Ops come in levels, each a sealed type, so a consumer
 * switches over the ops of its own level only: {@link SourceOp} (what a network is written in),
 * {@link PlanarOp} (what the inference passes leave) and {@link LaidOutOp} (that, after the CPU
 * layout choice).
 */
public sealed interface Op permits SourceOp, LaidOutOp {

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

    /**
     * Every attribute as {@code name=value} text, in a fixed order: what the IR printer writes
     * after the type, so any change a pass makes to an op shows in a diff.
     */
    default List<String> attributes() {
        return List.of();
    }

    /**
     * Each output element is computed from the same element of every input, all of one shape:
     * the op runs in any layout, as long as its inputs and output share it.
     */
    default boolean elementwise() {
        return false;
    }

    /** The output is the input's memory seen with another shape: no kernel, no copy. */
    default boolean view() {
        return false;
    }

    /**
     * The op's meaning at inference, computed with the reference kernels (plain loops in
     * double where it matters): what every fast path is tested against.
     */
    void reference(Eval e);
}
