package io.cnnc.runtime.gpu;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ops.BatchNormOp;
import io.cnnc.compiler.ops.LayerNormOp;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.Map;
import java.util.Random;

/**
 * PyTorch-style fresh weights, except that BatchNorm's and layernorm's tensors (affine map and
 * running statistics) are random instead of ones and zeros: with the defaults, folding BatchNorm
 * would be the identity and a folding bug could not show. Scale and shift keep their {@code init}.
 */
final class RandomWeights {

    private RandomWeights() {}

    static Map<String, Tensor> of(Graph graph, long seed) {
        Map<String, Tensor> w = WeightInitializer.initialize(graph, seed);
        Random r = new Random(seed);
        for (Graph.NamedParam p : graph.parameters()) {
            if (!(p.node().op() instanceof BatchNormOp || p.node().op() instanceof LayerNormOp)) continue;
            float[] d = w.get(p.name()).data();
            boolean positive = p.spec().suffix().equals("running_var") || p.spec().suffix().equals("weight");
            for (int i = 0; i < d.length; i++) d[i] = positive ? 0.5f + r.nextFloat() : r.nextFloat() - 0.5f;
        }
        return w;
    }
}
