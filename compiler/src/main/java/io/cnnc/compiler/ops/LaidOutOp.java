package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

/**
 * An op of an optimized graph once the CPU layout is chosen: the planar ops, plus the layout
 * changes and the blocked variants the layout pass puts in. What the CPU code generator sees.
 */
public sealed interface LaidOutOp extends Op permits PlanarOp, ReorderOp, BlockedOp, InvertedResidualOp {

    /** The CPU binding: the generated statement calling this op's fast kernel; null for a view. */
    CodeBlock cpu(CpuCode c);
}
