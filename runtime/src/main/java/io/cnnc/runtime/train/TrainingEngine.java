package io.cnnc.runtime.train;

import io.cnnc.compiler.train.TrainingMemoryPlan;
import io.cnnc.compiler.train.UpdateRule;
import java.util.Map;

/**
 * What a training loop drives: forward passes in training or evaluating mode, the backward pass
 * adding into the parameter gradients, and the dropout stream per epoch. {@link GeneratedTrainer}
 * runs the generated training step; {@link GraphTrainer} interprets the plan (the reference).
 */
public interface TrainingEngine {

    /** Floats in one input sample (C * H * W). */
    int sampleSize();

    /** Runs the network on the first {@code batch} samples of {@code x} ([N, C, H, W] flattened); returns the output (logits). */
    float[] forward(float[] x, int batch, boolean training);

    /** Backpropagates {@code dOutput}, the loss gradient with respect to the last training forward's output. */
    void backward(float[] dOutput);

    /** Gradients of the learned, unfrozen parameters, by name. */
    Map<String, float[]> gradients();

    void zeroGradients();

    /** Dropout masks of {@code epoch} come from a stream of their own (resumed runs repeat them). */
    void startEpoch(int epoch);

    /** The plan of which activations the step keeps, drops and recomputes. */
    TrainingMemoryPlan memoryPlan();

    /** Whether {@link #update} applies {@code rule}: a generated step carries the update it was generated with. */
    default boolean appliesUpdate(UpdateRule rule) {
        return false;
    }

    /** One optimizer step of every updated tensor (TrainingNetwork#update); only where {@link #appliesUpdate}. */
    default void update(double lr, long step, Map<String, float[]> state) {
        throw new UnsupportedOperationException("this engine has no update of its own");
    }
}
