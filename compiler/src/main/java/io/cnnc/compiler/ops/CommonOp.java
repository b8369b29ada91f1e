package io.cnnc.compiler.ops;

/**
 * An op of both levels: written in source networks and kept as it is by the inference passes
 * (everything but convolution, which they fuse, and dropout, which they remove). A new layer
 * kind is listed here, and the Java compiler then names every binding it still lacks.
 */
public sealed interface CommonOp extends SourceOp, PlanarOp
        permits DenseOp, BatchNormOp, LayerNormOp, ScaleOp, ShiftOp, BlockableOp, AdaptiveAvgPoolOp,
                ActivationOp, SoftmaxOp, FlattenOp, AddOp, MulOp, ConcatOp,
                ChannelShuffleOp, UpsampleOp, SliceOp, DeconvOp, GroupNormOp {}
