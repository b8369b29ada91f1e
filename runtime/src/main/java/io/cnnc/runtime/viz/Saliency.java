package io.cnnc.runtime.viz;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.train.GraphTrainer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Which input pixels drive a class's score (Simonyan et al. 2014): the gradient of that class's
 * output with respect to the image, through the network's own backward with every layer as it
 * evaluates; and SmoothGrad (Smilkov et al. 2017), its mean over copies of the image with
 * Gaussian noise added. The map is the largest |gradient| over the channels at each pixel.
 */
public final class Saliency {

    /** The class explained, the network's outputs for the image, the gradient [C, H, W] and the map [H, W]. */
    public record Result(int classIndex, float[] outputs, float[] gradient, float[] map) {}

    private Saliency() {}

    /**
     * The saliency of class {@code classIndex} (null: the top one) for {@code image} [1, C, H, W];
     * {@code samples} above 1 averages that many noisy copies (noise 0.15 of the image's range).
     */
    public static Result of(Graph graph, Map<String, Tensor> params, Tensor image, Integer classIndex, int samples, long seed) {
        GraphTrainer net = GraphTrainer.towardsInput(graph, params);
        float[] x = image.data();
        float[] outputs = net.forward(x, 1, false).clone();
        int k = classToExplain(outputs, classIndex);
        float[] gradient = new float[x.length];
        SplittableRandom random = new SplittableRandom(seed);
        float sigma = samples > 1 ? 0.15f * range(x) : 0f;
        for (int s = 0; s < Math.max(1, samples); s++) {
            float[] in = x;
            if (sigma > 0) {
                in = x.clone();
                for (int i = 0; i < in.length; i++) in[i] += (float) (random.nextGaussian() * sigma);
            }
            float[] y = net.forward(in, 1, false);
            float[] dy = new float[y.length];
            dy[k] = 1;
            net.backward(dy);
            float[] g = net.inputGradient();
            for (int i = 0; i < gradient.length; i++) gradient[i] += g[i] / Math.max(1, samples);
        }
        Shape in = graph.inputs().getFirst().shape();
        int plane = in.h() * in.w();
        float[] map = new float[plane];
        for (int c = 0; c < in.c(); c++) {
            for (int p = 0; p < plane; p++) map[p] = Math.max(map[p], Math.abs(gradient[c * plane + p]));
        }
        return new Result(k, outputs, gradient, map);
    }

    /** {@code classIndex}, checked against the outputs, or (null) the top output's. */
    static int classToExplain(float[] outputs, Integer classIndex) {
        int k = 0;
        if (classIndex != null) k = classIndex;
        else for (int i = 1; i < outputs.length; i++) if (outputs[i] > outputs[k]) k = i;
        if (k < 0 || k >= outputs.length) throw new IllegalArgumentException("class " + k + " is out of range: the network has " + outputs.length + " outputs");
        return k;
    }

    private static float range(float[] v) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        return hi - lo;
    }
}
