package io.cnnc.compiler.ops;

/**
 * What an op's training binding writes its kernel calls with: the generated training step's
 * names for the node's arrays. The step's class is generated for one batch size, the literal
 * {@code BATCH}; every name is an expression of type {@code float[]}, or the text {@code null}
 * where the array does not exist (an input gradient nobody needs, a frozen layer's parameter
 * gradients). The generator puts the forward bindings in graph order and the backward ones in
 * reverse, as {@link io.cnnc.compiler.train.TrainingPlan} lists them.
 */
public interface TrainingCode extends NodeContext {

    /** The batch the step's class is generated for, which its code names {@code BATCH}. */
    int batch();

    /** The array holding input {@code i} (0: the first input). */
    String input(int i);

    default String x() {
        return input(0);
    }

    /** The node's output: written by the forward binding, read (where kept) by the backward one. */
    String y();

    /** A field holding one of the node's own tensors ({@code weight}, {@code running_mean}). */
    String param(String suffix);

    /** The gradient a parameter's is added into, or {@code null} for a frozen layer. */
    String grad(String suffix);

    /** The gradient of the loss with respect to the node's output (the folded ReLU's output where there is one). */
    String dy();

    /** The gradient to write for input {@code i}, or {@code null} where no gradient reaches that input. */
    String dx(int i);

    default String dx() {
        return dx(0);
    }

    /** The folded ReLU's output, whose mask the backward applies to {@link #dy}, or {@code null}. */
    String reluOutput();

    /** Whether the forward applies the ReLU folded into this node. */
    boolean relu();

    /** The folded ReLU's upper clamp: 6 for a ReLU6, infinity for a ReLU. */
    float reluCeiling();

    /** Whether the layer is frozen: no statistics updated, no parameter gradients. */
    boolean frozen();

    /** The boolean expression that says whether this pass trains (false: an evaluating pass). */
    String training();

    /** The seeded stream dropout draws its masks from. */
    String random();

    /** A field of {@code length} floats kept from the forward for the backward, the {@code k}th of the node's. */
    String saved(int k, int length);

    /** A field of {@code length} floats for a gradient nobody reads, written and dropped at every step. */
    String scratch(int length);

    /**
     * Whether the node's first input is NCHWc ({@link io.cnnc.kernels.cpu.layout.Nchwc}), as the
     * step's layout choice decided; for an op that keeps its layout, its output and the
     * gradients too. False for every op that says {@link BlockedTraining#NONE}.
     */
    boolean blocked();

    /** A field holding the node's {@link io.cnnc.kernels.cpu.train.ConvRunner}, for a convolution. */
    String conv();

    /** {@code parallel}, or {@code serial} where the layer is too small to share out. */
    String threads();

    /**
     * The node's names as its inference binding ({@link LaidOutOp#cpu}) takes them, for an op
     * that trains as it infers. Its {@code field} and {@code setUp} fail: a binding that prepares
     * its weights once would compute with stale ones after the first update.
     */
    CpuCode inference();
}
