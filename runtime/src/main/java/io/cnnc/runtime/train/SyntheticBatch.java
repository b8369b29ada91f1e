package io.cnnc.runtime.train;

import io.cnnc.compiler.ir.Graph;
import java.util.Random;

/** A batch of Gaussian images and uniform labels for a network, for timing: the training tuner's and the benchmark's. */
public record SyntheticBatch(float[] images, int[] labels, int classes) {

    public static SyntheticBatch of(Graph graph, int batch, long seed) {
        Random random = new Random(seed);
        float[] x = new float[Math.toIntExact(batch * graph.inputs().getFirst().shape().size())];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        int classes = graph.outputs().getFirst().shape().c();
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = random.nextInt(classes);
        return new SyntheticBatch(x, labels, classes);
    }
}
