package io.cnnc.compiler.ops;

/**
 * How an op's training bindings take channel-blocked (NCHWc) tensors, for the training step's
 * layout choice ({@link io.cnnc.compiler.train.TrainingLayouts}); a binding learns its node's
 * layout from {@link TrainingCode#blocked()}.
 */
public enum BlockedTraining {
    /** NCHW only. */
    NONE,
    /** Input, output and their gradients in one layout, either (batch norm, adds, activations). */
    SAME,
    /** A blocked input read, the output ([N, C, 1, 1]) the same in either layout (global pooling). */
    READS,
    /** Each of input and output in either layout, the runner reordering where its kernels differ (convolutions). */
    ANY
}
