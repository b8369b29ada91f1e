package io.cnnc.runtime.tornado;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.exec.ReferenceExecutor;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.weights.WeightBinder;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import uk.ac.manchester.tornado.api.TaskGraph;

/**
 * Built only with {@code -Ptornado}: compiles a network to TornadoVM kernels, runs it through the
 * TaskGraph (under the {@code tornado} launcher the kernels run on the selected OpenCL, PTX or
 * SPIR-V device; under a plain JVM TornadoVM is absent and this fails at the first task), and
 * prints the largest difference from the reference executor on a random input.
 * Usage: {@code TornadoModelRunner model.cnn [weights.safetensors]}.
 */
public final class TornadoModelRunner {

    private TornadoModelRunner() {}

    public static void main(String[] args) throws Exception {
        // Referenced so that building without tornado-api fails here, not in generated code at run time.
        Class<?> api = TaskGraph.class;
        Graph graph = Compiler.compile(SourceFile.read(Path.of(args[0]))).networks().getFirst();
        Map<String, Tensor> weights = args.length > 1 ? WeightBinder.bind(graph, Safetensors.read(Path.of(args[1])), Path.of(args[1]))
                : WeightInitializer.initialize(graph, 0);
        Map<String, float[]> raw = new LinkedHashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(1));
        CompiledNetwork net = model.instantiate(model.tornadoSource(true), Parallel.serial());
        var s = graph.inputs().getFirst().shape();
        float[] x = new float[Math.toIntExact(s.size())];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        long t0 = System.nanoTime();
        float[] got = net.forward(new float[][] {x})[0];
        long t1 = System.nanoTime();
        net.forward(new float[][] {x});
        long t2 = System.nanoTime();
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(Tensor.of(x, s.withBatch(1)))).getFirst().data();
        double diff = 0;
        for (int i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
        System.out.printf("%s via %s: first run %.1f ms (JIT to the device), second %.1f ms, max |tornado - reference| %.2e%n",
                graph.name(), api.getPackageName(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, diff);
    }
}
