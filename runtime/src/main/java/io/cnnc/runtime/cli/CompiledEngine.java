package io.cnnc.runtime.cli;

import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.target.cpu.CpuTarget;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ProfiledNetwork;
import io.cnnc.runtime.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a network through the optimizing compiler in this process: no jar is written. */
final class CompiledEngine {

    private CompiledEngine() {}

    static Map<String, float[]> raw(Map<String, Tensor> weights) {
        return Tensor.arrays(weights);
    }

    static List<Tensor> run(Graph graph, Map<String, Tensor> weights, List<Tensor> inputs, int threads) {
        return run(graph, weights, inputs, CompileOptions.defaults().withBatch(inputs.getFirst().dim(0)).withThreads(threads), null);
    }

    /** With {@code profile} non-null, also times every layer inside the network and prints the table there. */
    static List<Tensor> run(Graph graph, Map<String, Tensor> weights, List<Tensor> inputs, CompileOptions options, PrintWriter profile) {
        int batch = inputs.getFirst().dim(0);
        int threads = options.threads();
        CompiledModel model = new CpuTarget(options).compile(FrontHalf.of(graph), raw(weights));
        float[][] x = inputs.stream().map(Tensor::data).toArray(float[][]::new);
        CompiledNetwork net;
        if (profile != null) {
            ProfiledNetwork profiled = model.instantiateProfiled(Parallel.of(threads));
            CpuProfile.print(model, profiled, x, threads, profile);
            net = profiled;
        } else {
            net = model.instantiate(Parallel.of(threads));
        }
        float[][] out = net.forward(x);
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            Value v = graph.outputs().get(i);
            result.add(Tensor.of(out[i], v.shape().withBatch(batch)));
        }
        return result;
    }
}
