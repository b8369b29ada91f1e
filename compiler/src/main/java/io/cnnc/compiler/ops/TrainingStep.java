package io.cnnc.compiler.ops;

import io.cnnc.kernels.cpu.train.ConvRunner;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * What a forward pass in training mode knows beyond the arrays: whether it trains at all
 * (evaluation runs the same pass with {@code training} false), whether this layer is frozen, the
 * seeded stream dropout draws from, where an op keeps what its backward needs, how the node's
 * convolutions run, and whether it applies the ReLU that follows it ({@code relu}, only for an op
 * that {@link SourceOp#absorbsRelu absorbs} one, clamped at {@code reluCeiling} too: 6 for a ReLU6, infinity for a ReLU).
 */
public record TrainingStep(boolean training, boolean frozen, SplittableRandom random, Consumer<float[][]> save, ConvRunner conv, boolean relu,
                           float reluCeiling) {}
