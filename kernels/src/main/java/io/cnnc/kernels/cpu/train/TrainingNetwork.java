package io.cnnc.kernels.cpu.train;

import java.util.SplittableRandom;

/**
 * A training step compiled for one network, batch size and thread count (cnnc's generated
 * training classes implement it). The generated class's constructor takes the parameters and
 * their gradients by name ({@code Map<String, float[]>}, updated in place), the {@link BufferPool}
 * its activations and gradients come from, the {@link TrainingConv.Slices} its convolutions
 * share, and the worker team ({@link io.cnnc.kernels.cpu.Parallel}).
 */
public interface TrainingNetwork {

    /** The batch the class is compiled for: {@link #forward} reads that many samples. */
    int batch();

    /**
     * Runs the network on the first {@code batch()} samples of {@code x} ({@code [N, C, H, W]}
     * flattened): while {@code training}, with batch statistics, the running ones updated,
     * dropout masks drawn from {@code random}, and what the backward needs kept; otherwise as
     * inference computes. Returns the output, an array of the class's own, valid until the next call.
     */
    float[] forward(float[] x, boolean training, SplittableRandom random);

    /** Backpropagates {@code dOutput}, the loss's gradient with respect to the last training forward's output, adding into the parameter gradients. */
    void backward(float[] dOutput);

    /**
     * One optimizer step of every tensor the plan updates, by the plan's rule, at learning rate
     * {@code lr} and step {@code step} (from 1): {@code state} holds the rule's state arrays as
     * {@code <param>.<slot>}, each created (zero) where absent. Throws where the class was
     * generated without a rule.
     */
    void update(double lr, long step, java.util.Map<String, float[]> state);

    /** Gives every array the class holds back to its pool: another batch size's class is about to run. */
    void release();
}
