package io.cnnc.kernels.backward;

/**
 * Mean cross-entropy of logits against class labels, with label smoothing as PyTorch defines it
 * (target = (1 - s) * one_hot + s / K), and its gradient with respect to the logits.
 */
public final class SoftmaxCrossEntropy {

    private SoftmaxCrossEntropy() {}

    /** Returns the mean loss; writes dLogits (already divided by the batch size) and counts correct top-1 predictions. */
    public static double lossAndGradient(float[] logits, int[] labels, int batch, int classes, double smoothing,
                                         float[] dLogits, int[] correct) {
        double total = 0;
        int right = 0;
        for (int n = 0; n < batch; n++) {
            int base = n * classes;
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int c = 0; c < classes; c++) {
                if (logits[base + c] > max) {
                    max = logits[base + c];
                    argmax = c;
                }
            }
            if (argmax == labels[n]) right++;
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[base + c] - max);
            double logSum = Math.log(sum) + max;
            for (int c = 0; c < classes; c++) {
                double target = (c == labels[n] ? 1 - smoothing : 0) + smoothing / classes;
                double logP = logits[base + c] - logSum;
                total -= target * logP;
                if (dLogits != null) dLogits[base + c] = (float) ((Math.exp(logP) - target) / batch);
            }
        }
        if (correct != null) correct[0] += right;
        return total / batch;
    }
}
