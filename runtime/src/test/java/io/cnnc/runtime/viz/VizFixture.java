package io.cnnc.runtime.viz;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Npy;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.weights.WeightBinder;
import java.nio.file.Path;
import java.util.Map;

/** The network, weights and image of src/test/fixtures/viz/make_saliency_fixture.py, and PyTorch's results by file name. */
record VizFixture(Graph graph, Map<String, Tensor> params, Tensor image) {

    static final Path DIR = Path.of("src/test/resources/viz");

    static VizFixture load() throws Exception {
        Graph graph = Compiler.compile(SourceFile.read(DIR.resolve("saliency.cnn"))).networks().getFirst();
        Path weights = DIR.resolve("saliency.safetensors");
        return new VizFixture(graph, WeightBinder.bind(graph, Safetensors.read(weights), weights), Npy.read(DIR.resolve("saliency_x.npy")));
    }

    /** One of PyTorch's results (saliency_grad.npy, gradcam_relu2.npy). */
    static float[] expected(String file) throws Exception {
        return Npy.read(DIR.resolve(file)).data();
    }
}
