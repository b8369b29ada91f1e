package io.cnnc.runtime.train;

import io.cnnc.kernels.backward.SoftmaxCrossEntropy;
import java.util.Arrays;
import java.util.Map;

/**
 * One optimizer step of a classifier on a batch: the forward pass in training mode, softmax
 * cross-entropy against the labels, the backward pass and the update. `cnnc train` and the
 * embedded {@code Trainer} both step through it.
 */
public final class ClassifierStep {

    private final TrainingEngine trainer;
    private final Optimizer optimizer;
    private final Map<String, float[]> params;
    private final int classes;
    private final double labelSmoothing;

    /**
     * {@code params}: the arrays the optimizer updates in place, by name (those the trainer
     * computes with); a null {@code optimizer} leaves them alone (gradients only: the tuner's steps).
     */
    public ClassifierStep(TrainingEngine trainer, Optimizer optimizer, Map<String, float[]> params, int classes, double labelSmoothing) {
        this.trainer = trainer;
        this.optimizer = optimizer;
        this.params = params;
        this.classes = classes;
        this.labelSmoothing = labelSmoothing;
    }

    /**
     * Trains on the first {@code n} images of {@code x} ({@code [n, C, H, W]} flattened, or a longer
     * array whose first samples they are) with their {@code labels}, at learning rate {@code lr};
     * returns the batch's mean loss and adds the correctly classified images to {@code correct[0]}
     * where it is given. A loss that is NaN or infinite is returned before anything is updated:
     * its gradient would spread into every weight.
     */
    public double run(float[] x, int[] labels, int n, double lr, int[] correct) {
        int sample = trainer.sampleSize();
        float[] logits = trainer.forward(x.length == n * sample ? x : Arrays.copyOf(x, n * sample), n, true);
        float[] dLogits = new float[logits.length];
        double loss = SoftmaxCrossEntropy.lossAndGradient(logits, labels.length == n ? labels : Arrays.copyOf(labels, n), n, classes,
                labelSmoothing, dLogits, correct);
        if (!Double.isFinite(loss)) return loss;
        trainer.zeroGradients();
        trainer.backward(dLogits);
        if (optimizer != null) optimizer.step(trainer, params, lr);
        return loss;
    }
}
