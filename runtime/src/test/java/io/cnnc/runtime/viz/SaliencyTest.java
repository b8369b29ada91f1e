package io.cnnc.runtime.viz;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.runtime.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The saliency gradient against PyTorch autograd (src/test/fixtures/viz/make_saliency_fixture.py:
 * conv, batch norm on running statistics, ReLU, max pooling, a residual add, global pooling,
 * dense): the same class chosen and the gradient with respect to every pixel within 1e-5 of its
 * largest magnitude (float sums in other orders).
 */
class SaliencyTest {

    @Test
    void theGradientOfTheTopClassMatchesPyTorch() throws Exception {
        VizFixture f = VizFixture.load();
        Graph graph = f.graph();
        Map<String, Tensor> params = f.params();
        Tensor x = f.image();
        float[] want = VizFixture.expected("saliency_grad.npy");
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
