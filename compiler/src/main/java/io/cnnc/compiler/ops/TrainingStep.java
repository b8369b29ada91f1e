package io.cnnc.compiler.ops;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * What a forward pass in training mode knows beyond the arrays: whether it trains at all
 * (evaluation runs the same pass with {@code training} false), whether this layer is frozen, the
 * seeded stream dropout draws from, where an op keeps what its backward needs, and how the
 * node's convolutions run.
 */
public record TrainingStep(boolean training, boolean frozen, SplittableRandom random, Consumer<float[][]> save, ConvRunner conv) {}
