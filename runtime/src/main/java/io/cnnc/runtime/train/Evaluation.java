package io.cnnc.runtime.train;

import io.cnnc.kernels.backward.SoftmaxCrossEntropy;
import io.cnnc.runtime.data.Dataset;

/** Loss, accuracy and confusion matrix of a network on a data set (inference mode). */
public record Evaluation(double loss, double accuracy, long[][] confusion) {

    public static Evaluation of(TrainingEngine net, Dataset data, int batchSize) {
        Batches batches = new Batches(data, batchSize, 0, 0, 0);
        float[] x = new float[batchSize * data.sampleSize()];
        int[] labels = new int[batchSize];
        long[][] confusion = new long[data.classes()][data.classes()];
        double loss = 0;
        for (int b = 0; b < batches.count(); b++) {
            int n = batches.fill(b, x, labels);
            float[] logits = net.forward(x, n, false);
            int classes = logits.length / n;
            loss += SoftmaxCrossEntropy.lossAndGradient(logits, java.util.Arrays.copyOf(labels, n), n, classes, 0, null, null) * n;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
                if (labels[i] < confusion.length && best < confusion.length) confusion[labels[i]][best]++;
            }
        }
        long right = 0;
        for (int c = 0; c < confusion.length; c++) right += confusion[c][c];
        return new Evaluation(loss / data.size(), (double) right / data.size(), confusion);
    }

    /** The confusion matrix as text: rows are true classes, columns predictions. */
    public String confusionTable() {
        StringBuilder out = new StringBuilder("true\\pred");
        for (int c = 0; c < confusion.length; c++) out.append(String.format("%7d", c));
        out.append('\n');
        for (int r = 0; r < confusion.length; r++) {
            out.append(String.format("%9d", r));
            for (long v : confusion[r]) out.append(String.format("%7d", v));
            out.append('\n');
        }
        return out.toString();
    }
}
