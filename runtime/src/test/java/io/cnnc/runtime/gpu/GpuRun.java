package io.cnnc.runtime.gpu;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.target.gpu.GpuConvChooser;
import io.cnnc.compiler.target.gpu.GpuPlan;
import io.cnnc.compiler.target.gpu.GpuPlanner;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.exec.ReferenceExecutor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/** A network run on a GPU back end and by the reference executor on the same random input. */
record GpuRun(Graph graph, float[] device, float[] reference) {

    static Graph parse(String source) {
        try {
            return Compiler.compile(new SourceFile("test.cnn", source)).networks().getFirst();
        } catch (Exception e) {
            throw new IllegalArgumentException("test network does not compile: " + e.getMessage(), e);
        }
    }

    static GpuRun of(GpuBackend device, Graph graph, int batch, long seed) {
        return of(device, graph, batch, seed, GpuConvChooser::choose);
    }

    /** First output of each; inputs uniform in [-1, 1]. */
    static GpuRun of(GpuBackend device, Graph graph, int batch, long seed, Function<ConvGeometry, GpuConvChooser.Choice> chooser) {
        Map<String, Tensor> weights = RandomWeights.of(graph, seed);
        Map<String, float[]> raw = new LinkedHashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        Random r = new Random(seed);
        List<Tensor> inputs = new ArrayList<>();
        for (Value v : graph.inputs()) {
            float[] x = new float[Math.toIntExact(v.shape().size() * batch)];
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
            inputs.add(Tensor.of(x, v.shape().withBatch(batch)));
        }
        float[] want = new ReferenceExecutor(graph, weights).run(inputs).getFirst().data();
        GpuPlan plan = GpuPlanner.plan(graph, raw, batch, chooser);
        try (GpuExecutor exec = new GpuExecutor(device, plan)) {
            float[] got = exec.run(inputs.stream().map(Tensor::data).toArray(float[][]::new))[0];
            return new GpuRun(graph, got, want);
        }
    }

    double relativeError() {
        return Closeness.relativeError(device, reference);
    }
}
