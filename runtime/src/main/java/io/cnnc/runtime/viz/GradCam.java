package io.cnnc.runtime.viz;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.train.GraphTrainer;
import java.util.Map;

/**
 * Grad-CAM (Selvaraju et al. 2017): where in the image a layer saw evidence for a class. Each
 * channel of the layer's output is weighted by the mean over its positions of the class output's
 * gradient with respect to it; the weighted sum, through a ReLU, is the map at the layer's
 * resolution, and resized to the image's (bilinear, pixel centres aligned) for drawing.
 */
public final class GradCam {

    /** The class explained, the network's outputs, the map at the layer's resolution ({@code h x w}) and at the image's. */
    public record Result(int classIndex, float[] outputs, float[] map, int h, int w, float[] upsampled) {}

    private GradCam() {}

    /** The Grad-CAM of class {@code classIndex} (null: the top one) at {@code layer} for {@code image} [1, C, H, W]. */
    public static Result of(Graph graph, Map<String, Tensor> params, Tensor image, Integer classIndex, Node layer) {
        GraphTrainer net = GraphTrainer.towardsInput(graph, params);
        net.watch(layer);
        float[] outputs = net.forward(image.data(), 1, false).clone();
        int k = Saliency.classToExplain(outputs, classIndex);
        float[] activations = net.outputOf(layer).clone();
        float[] dy = new float[outputs.length];
        dy[k] = 1;
        net.backward(dy);
        float[] gradient = net.watchedGradient();
        if (gradient == null) throw new IllegalArgumentException(layer.name() + " is not on the way from the input to the output");
        Shape s = layer.output().shape();
        int plane = s.h() * s.w();
        float[] map = new float[plane];
        for (int c = 0; c < s.c(); c++) {
            double mean = 0;
            for (int p = 0; p < plane; p++) mean += gradient[c * plane + p];
            float weight = (float) (mean / plane);
            for (int p = 0; p < plane; p++) map[p] += weight * activations[c * plane + p];
        }
        for (int p = 0; p < plane; p++) map[p] = Math.max(0, map[p]);
        Shape in = graph.inputs().getFirst().shape();
        return new Result(k, outputs, map, s.h(), s.w(), resize(map, s.h(), s.w(), in.h(), in.w()));
    }

    /** Bilinear resize with pixel centres aligned (half-pixel), clamped at the edges. */
    static float[] resize(float[] map, int h, int w, int outH, int outW) {
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            float sy = Math.max(0, (y + 0.5f) * h / outH - 0.5f);
            int y0 = Math.min((int) sy, h - 1), y1 = Math.min(y0 + 1, h - 1);
            float ly = sy - y0;
            for (int x = 0; x < outW; x++) {
                float sx = Math.max(0, (x + 0.5f) * w / outW - 0.5f);
                int x0 = Math.min((int) sx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                float lx = sx - x0;
                float top = (1 - lx) * map[y0 * w + x0] + lx * map[y0 * w + x1];
                float bottom = (1 - lx) * map[y1 * w + x0] + lx * map[y1 * w + x1];
                out[y * outW + x] = (1 - ly) * top + ly * bottom;
            }
        }
        return out;
    }
}
