package io.cnnc.runtime.viz;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Npy;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.weights.WeightBinder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The saliency gradient against PyTorch autograd (src/test/fixtures/viz/make_saliency_fixture.py:
 * conv, batch norm on running statistics, ReLU, max pooling, a residual add, global pooling,
 * dense): the same class chosen and the gradient with respect to every pixel within 1e-5 of its
 * largest magnitude (float sums in other orders).
 */
class SaliencyTest {

    private static final Path DIR = Path.of("src/test/resources/viz");

    @Test
    void theGradientOfTheTopClassMatchesPyTorch() throws Exception {
        Graph graph = Compiler.compile(SourceFile.read(DIR.resolve("saliency.cnn"))).networks().getFirst();
        Path weights = DIR.resolve("saliency.safetensors");
        Map<String, Tensor> params = WeightBinder.bind(graph, Safetensors.read(weights), weights);
        Tensor x = Npy.read(DIR.resolve("saliency_x.npy"));
        float[] want = Npy.read(DIR.resolve("saliency_grad.npy")).data();
        Saliency.Result r = Saliency.of(graph, params, x, null, 1, 0);
        assertThat(r.classIndex()).isEqualTo(2);
        double scale = 0, worst = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            worst = Math.max(worst, Math.abs(r.gradient()[i] - want[i]));
        }
        assertThat(scale).isPositive();
        assertThat(worst / scale).isLessThan(1e-5);
        assertThat(r.map()).hasSize(12 * 10);
        // SmoothGrad averages noisy copies: not the plain gradient itself.
        Saliency.Result smooth = Saliency.of(graph, params, x, 2, 8, 1);
        assertThat(smooth.gradient()).isNotEqualTo(r.gradient());
    }
}
