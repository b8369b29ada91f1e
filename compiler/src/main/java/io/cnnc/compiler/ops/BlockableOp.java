package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

/**
 * An op with a kernel for channel-blocked (NCHW16c) tensors; see {@link BlockedOp}. Of pooling,
 * max only: the constructor of {@link BlockedOp} rejects average pooling.
 */
public sealed interface BlockableOp extends CommonOp permits PoolOp, GlobalPoolOp {

    /** The CPU binding of the blocked kernel, as {@link #cpu} is of the planar one. */
    CodeBlock cpuBlocked(CpuCode c);
}
