package io.cnnc.runtime.train;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training checkpoints as safetensors, written atomically (a kill mid-write leaves the previous
 * file): the weights under their own names, the optimizer's state under {@code optimizer.},
 * and epoch, step count and best accuracy in the metadata.
 */
public final class Checkpoints {

    public static final String OPTIMIZER_PREFIX = "optimizer.";

    private Checkpoints() {}

    /** Whether a checkpoint's tensor is optimizer state rather than a weight: loaders of weights skip these. */
    public static boolean isOptimizerState(String tensorName) {
        return tensorName.startsWith(OPTIMIZER_PREFIX);
    }

    public record State(int epoch, long steps, double bestAccuracy) {}

    public static void save(Path file, Map<String, Tensor> weights, Optimizer optimizer, State state) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>(weights);
        optimizer.state().forEach((k, v) -> all.put(OPTIMIZER_PREFIX + k, Tensor.of(v, v.length)));
        Safetensors.write(file, all, Map.of("epoch", Integer.toString(state.epoch()), "steps", Long.toString(state.steps()),
                "best_accuracy", Double.toString(state.bestAccuracy()), "format", "cnnc-checkpoint"));
    }

    /** Restores weights (in place) and optimizer state; returns the saved progress. */
    public static State restore(Path file, Map<String, Tensor> weights, Optimizer optimizer) throws IOException {
        Map<String, Tensor> all = Safetensors.read(file);
        Map<String, String> meta = Safetensors.metadata(file);
        Map<String, float[]> optimizerState = new LinkedHashMap<>();
        for (var e : all.entrySet()) {
            if (isOptimizerState(e.getKey())) {
                optimizerState.put(e.getKey().substring(OPTIMIZER_PREFIX.length()), e.getValue().data());
            } else {
                Tensor target = weights.get(e.getKey());
                if (target == null || target.size() != e.getValue().size()) {
                    throw new io.cnnc.runtime.io.FormatException(file, "tensor '" + e.getKey() + "' does not fit the network");
                }
                System.arraycopy(e.getValue().data(), 0, target.data(), 0, target.data().length);
            }
        }
        State state = new State(Integer.parseInt(meta.getOrDefault("epoch", "0")), Long.parseLong(meta.getOrDefault("steps", "0")),
                Double.parseDouble(meta.getOrDefault("best_accuracy", "0")));
        optimizer.restore(optimizerState, state.steps());
        return state;
    }
}
