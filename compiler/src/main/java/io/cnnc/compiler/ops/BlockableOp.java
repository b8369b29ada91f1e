package io.cnnc.compiler.ops;

/**
 * An op with a kernel for channel-blocked (NCHW16c) tensors; see {@link BlockedOp}. Of pooling,
 * max only: the constructor of {@link BlockedOp} rejects average pooling.
 */
public sealed interface BlockableOp extends PlanarOp permits PoolOp, GlobalPoolOp {}
