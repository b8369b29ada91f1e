package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Npy;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.weights.WeightBinder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole networks against PyTorch: weights under cnnc's parameter names, an input batch and
 * torch.nn.functional's output, made by src/test/fixtures/e2e/make_e2e_fixtures.py. This checks
 * the kernels, the shape rules and the naming rule at once.
 */
class PyTorchNetworkFixtureTest {

    private static final Path FIXTURES = Path.of("src/test/resources/e2e");

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "allops", "resnetish"})
    void matchesPyTorch(String name) throws Exception {
        Path dir = FIXTURES.resolve(name);
        Graph graph = Compiler.compile(SourceFile.read(dir.resolve("model.cnn"))).networks().getFirst();
        var weights = WeightBinder.bind(graph, Safetensors.read(dir.resolve("weights.safetensors")), dir);
        Tensor x = Npy.read(dir.resolve("x.npy"));
        Tensor expected = Npy.read(dir.resolve("y.npy"));
        Tensor y = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst();
        assertThat(y.size()).isEqualTo(expected.size());
        // PyTorch computes in float32 with its own summation order; we accumulate in double.
        // Outputs are O(1), so differences are a few float32 ulps: 1e-5 absolute is ~100 ulps
        // of headroom while still catching any indexing or formula mistake (those give O(0.1)).
        double worst = 0;
        for (int i = 0; i < y.data().length; i++) worst = Math.max(worst, Math.abs(y.data()[i] - expected.data()[i]));
        assertThat(worst).as("max abs difference to PyTorch").isLessThan(1e-5);
    }
}
