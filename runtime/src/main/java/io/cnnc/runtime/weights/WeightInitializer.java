package io.cnnc.runtime.weights;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fresh weights as PyTorch's defaults would draw them (docs/language.md, "Fresh weights"): conv
 * and dense weights and biases U(-1/sqrt(fanIn), 1/sqrt(fanIn)) — which is what kaiming_uniform_ with
 * a=sqrt(5) reduces to — norms ones and zeros. Deterministic for a seed; each tensor gets its
 * own stream derived from its name, so adding a layer does not change the others' weights.
 */
public final class WeightInitializer {

    private WeightInitializer() {}

    public static Map<String, Tensor> initialize(Graph graph, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Graph.NamedParam p : graph.parameters()) {
            out.put(p.name(), tensor(p.spec(), new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ p.name().hashCode())));
        }
        return out;
    }

    static Tensor tensor(ParamSpec spec, SplittableRandom random) {
        float[] data = new float[Math.toIntExact(spec.size())];
        Init init = spec.init();
        switch (init.kind()) {
            case KAIMING_UNIFORM, FAN_IN_UNIFORM -> {
                double bound = 1.0 / Math.sqrt(init.fanIn());
                for (int i = 0; i < data.length; i++) data[i] = (float) random.nextDouble(-bound, bound);
            }
            case CONSTANT -> java.util.Arrays.fill(data, (float) init.value());
        }
        return Tensor.of(data, spec.dims());
    }
}
