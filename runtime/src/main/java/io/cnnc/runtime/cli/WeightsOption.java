package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.weights.WeightBinder;
import io.cnnc.runtime.weights.WeightInitializer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --weights FILE}, or fresh PyTorch-style weights from {@code --seed} when none is given. */
final class WeightsOption {

    @Option(names = "--weights", paramLabel = "w.safetensors",
            description = "weights (names as in docs/language.md); default: fresh PyTorch-style initialisation from --seed")
    Path weights;

    @Option(names = "--seed", defaultValue = "0", description = "seed for fresh weights (default: ${DEFAULT-VALUE})")
    long seed;

    /** Says on {@code err} when it falls back to fresh weights. */
    Map<String, Tensor> load(Graph graph, PrintWriter err) throws IOException {
        if (weights != null) return WeightBinder.bind(graph, Safetensors.read(weights), weights);
        Map<String, Tensor> params = WeightInitializer.initialize(graph, seed);
        if (!params.isEmpty()) err.println("note: no --weights given: using freshly initialised weights (seed " + seed + ")");
        return params;
    }
}
