package io.cnnc.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.backward.SoftmaxCrossEntropy;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Npy;
import io.cnnc.runtime.io.Safetensors;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One training step against PyTorch autograd (src/test/fixtures/grad/make_grad_fixtures.py):
 * loss, every parameter gradient, and batch norm's updated running statistics. normnet has
 * group norm and instance norm, with and without an affine map.
 */
class PyTorchGradientFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "gradnet", "normnet"})
    void oneStepMatchesPyTorch(String name) throws Exception {
        Path dir = Path.of("src/test/resources/grad").resolve(name);
        Graph graph = Compiler.compile(SourceFile.read(dir.resolve("model.cnn"))).networks().getFirst();
        Map<String, Tensor> weights = Safetensors.read(dir.resolve("weights.safetensors"));
        Map<String, Tensor> expected = Safetensors.read(dir.resolve("grads.safetensors"));
        Tensor x = Npy.read(dir.resolve("x.npy"));
        float[] labelData = Npy.read(dir.resolve("labels.npy")).data();
        int[] labels = new int[labelData.length];
        for (int i = 0; i < labels.length; i++) labels[i] = (int) labelData[i];

        GraphTrainer trainer = new GraphTrainer(graph, weights, 0, Set.of());
        int batch = x.dim(0);
        float[] logits = trainer.forward(x.data(), batch, true);
        int classes = logits.length / batch;
        float[] dLogits = new float[logits.length];
        double loss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, 0.1, dLogits, null);
        trainer.backward(dLogits);

        // Float32 on both sides with different summation orders: losses agree to ~1e-6 relative.
        assertThat(loss).isCloseTo(Npy.read(dir.resolve("loss.npy")).data()[0], org.assertj.core.data.Offset.offset(1e-5));
        for (var e : expected.entrySet()) {
            float[] actual = e.getKey().startsWith("after.")
                    ? weights.get(e.getKey().substring(6)).data()
                    : trainer.gradients().get(e.getKey());
            assertThat(actual).as(e.getKey()).isNotNull();
            float[] want = e.getValue().data();
            double scale = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            // Gradients are sums over the batch and positions; relative to the tensor's largest
            // entry, float32 summation-order differences stay below 1e-5; 1e-4 leaves headroom.
            for (int i = 0; i < want.length; i++) {
                assertThat((double) actual[i]).as("%s[%d]", e.getKey(), i)
                        .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4 * scale + 1e-7));
            }
        }
    }
}
