package io.cnnc.runtime.viz;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.train.GraphTrainer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The effective receptive field of a layer (Luo et al. 2016): how much each input pixel moves
 * the layer's centre unit, measured by back-propagating a gradient of 1 from that unit (every
 * channel at the centre position) to the input, |gradient| summed over the input's channels and
 * averaged over random inputs (standard normal). Influence falls off like a Gaussian, well inside
 * the nominal field: the half-width of the square around the mass's centre that holds 95% of it
 * says how far, in the same measure as the nominal field's half-width.
 */
public final class EffectiveReceptiveField {

    /** The map [H, W] of the input, its mass's centre, and the half-width (pixels) of the square around it holding 95% of the mass. */
    public record Result(float[] map, int h, int w, double centreY, double centreX, double radius95) {

        /** Mean of the map over pixels whose distance from the centre lies in [from, to). */
        public double ringMean(double from, double to) {
            double sum = 0;
            int count = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double d = Math.hypot(y - centreY, x - centreX);
                    if (d >= from && d < to) {
                        sum += map[y * w + x];
                        count++;
                    }
                }
            }
            return count == 0 ? 0 : sum / count;
        }
    }

    private EffectiveReceptiveField() {}

    public static Result of(Graph graph, Map<String, Tensor> params, Node layer, int samples, long seed) {
        GraphTrainer net = GraphTrainer.towardsInput(graph, params);
        Shape in = graph.inputs().getFirst().shape();
        Shape out = layer.output().shape();
        int plane = in.h() * in.w();
        float[] map = new float[plane];
        SplittableRandom random = new SplittableRandom(seed);
        float[] seedGradient = new float[Math.toIntExact(out.size())];
        int centre = (out.h() / 2) * out.w() + out.w() / 2;
        for (int c = 0; c < out.c(); c++) seedGradient[c * out.h() * out.w() + centre] = 1;
        for (int s = 0; s < samples; s++) {
            float[] x = new float[Math.toIntExact(in.size())];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            net.forward(x, 1, false);
            net.backwardFrom(layer, seedGradient.clone());
            float[] g = net.inputGradient();
            for (int c = 0; c < in.c(); c++) {
                for (int p = 0; p < plane; p++) map[p] += Math.abs(g[c * plane + p]) / samples;
            }
        }
        double total = 0, cy = 0, cx = 0;
        for (int p = 0; p < plane; p++) {
            total += map[p];
            cy += map[p] * (p / in.w());
            cx += map[p] * (p % in.w());
        }
        if (total == 0) return new Result(map, in.h(), in.w(), in.h() / 2.0, in.w() / 2.0, 0);
        cy /= total;
        cx /= total;
        double[][] byDistance = new double[plane][];
        for (int p = 0; p < plane; p++) byDistance[p] = new double[] {Math.max(Math.abs(p / in.w() - cy), Math.abs(p % in.w() - cx)), map[p]};
        Arrays.sort(byDistance, (a, b) -> Double.compare(a[0], b[0]));
        double mass = 0, radius = 0;
        for (double[] d : byDistance) {
            mass += d[1];
            radius = d[0];
            if (mass >= 0.95 * total) break;
        }
        return new Result(map, in.h(), in.w(), cy, cx, radius);
    }
}
