package io.cnnc.runtime.train;

import java.util.Map;

/** Updates parameters from their gradients; state (momentum, moments) is kept by name. */
public interface Optimizer {

    /** One step at learning rate {@code lr}; gradients are by parameter name. */
    void step(Map<String, float[]> params, Map<String, float[]> grads, double lr);

    /** One step from {@code engine}'s gradients, by the engine's own update code where it has this optimizer's. */
    default void step(TrainingEngine engine, Map<String, float[]> params, double lr) {
        step(params, engine.gradients(), lr);
    }

    /** State tensors to checkpoint, by name ({@code <param>.momentum}, ...). */
    Map<String, float[]> state();

    /** The number of steps taken so far (Adam's bias correction needs it). */
    long steps();

    void restore(Map<String, float[]> state, long steps);
}
