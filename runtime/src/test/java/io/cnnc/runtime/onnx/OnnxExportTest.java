package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess;
import io.cnnc.runtime.exec.ReferenceExecutor;
import io.cnnc.runtime.io.Npy;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.weights.WeightBinder;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** `cnnc export` writes ONNX that ONNX Runtime runs with cnnc's outputs (and PyTorch's, where a fixture has them). */
class OnnxExportTest {

    @TempDir
    Path tmp;

    /**
     * ORT computes in float32, cnnc's reference accumulates in double. Measured: every layer but
     * layernorm agrees within 1e-6; ORT's float32 LayerNormalization moves the outputs of the
     * layer test by up to 1.6e-5, so the bound is 5e-5 of the output scale. A wrong export
     * (transposed weights, wrong padding, wrong formula) is off by more than 1e-2.
     */
    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 1;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("[%d]", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset((float) (5e-5 * scale)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnetish"})
    void exportedFixtureNetworksRunInOnnxRuntimeLikePyTorch(String name) throws Exception {
        Path dir = Path.of("src/test/resources/e2e").resolve(name);
        Path onnx = tmp.resolve(name + ".onnx");
        CliTestAccess.Result r = CliTestAccess.cnnc("export", dir.resolve("model.cnn").toString(), "--weights",
                dir.resolve("weights.safetensors").toString(), "-o", onnx.toString());
        assertThat(r.code()).as(r.err()).isZero();
        float[] ort = OnnxRuntimeOracle.run(onnx, Npy.read(dir.resolve("x.npy")));
        assertClose(ort, Npy.read(dir.resolve("y.npy")).data());
    }

    /** The example networks with fresh weights, exported by us and run by ONNX Runtime on one 224x224 image. */
    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "mobilenet_v2"})
    void exampleNetworksRunInOnnxRuntimeLikeInCnnc(String example) throws Exception {
        Path cnn = Path.of("..", "examples", example + ".cnn");
        Graph graph = Compiler.compile(SourceFile.read(cnn)).networks().getFirst();
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 1);
        Path onnx = tmp.resolve(example + ".onnx");
        CliTestAccess.Result r = CliTestAccess.cnnc("export", cnn.toString(), "--seed", "1", "-o", onnx.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Random random = new Random(9);
        float[] input = new float[3 * 224 * 224];
        for (int i = 0; i < input.length; i++) input[i] = (float) random.nextGaussian();
        Tensor x = Tensor.of(input, 1, 3, 224, 224);
        float[] ours = new ReferenceExecutor(graph, params).run(List.of(x)).getFirst().data();
        assertClose(OnnxRuntimeOracle.run(onnx, x), ours);
    }

    /**
     * What cnnc exports, cnnc imports: a dense layer straight after pooling (exported as Flatten,
     * Gemm and a Reshape to [N, units, 1, 1]) and an explicit flatten (a Reshape to [N, C*H*W, 1, 1]).
     * The imported network with the imported weights gives the original's output.
     */
    @Test
    void anExportedNetworkImportsBackAndComputesTheSame() throws Exception {
        Path cnn = tmp.resolve("tiny.cnn");
        Files.writeString(cnn, """
                network Tiny {
                  input x: [2, 8, 8]
                  conv(4, 3, pad=1) -> relu
                  maxpool(2)
                  dense(6) -> relu
                  flatten
                  dense(3)
                }""");
        Path onnx = tmp.resolve("tiny.onnx");
        assertThat(CliTestAccess.cnnc("export", cnn.toString(), "--seed", "4", "-o", onnx.toString()).code()).isZero();
        Path back = tmp.resolve("back.cnn");
        CliTestAccess.Result imported = CliTestAccess.cnnc("import", onnx.toString(), "-o", back.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        Random random = new Random(5);
        float[] input = new float[2 * 2 * 8 * 8];
        for (int i = 0; i < input.length; i++) input[i] = (float) random.nextGaussian();
        Path x = tmp.resolve("x.npy");
        Npy.write(x, Tensor.of(input, 2, 2, 8, 8));
        Path original = tmp.resolve("original.npy");
        Path roundTrip = tmp.resolve("round-trip.npy");
        assertThat(CliTestAccess.cnnc("run", cnn.toString(), "--seed", "4", "--input", x.toString(), "--output", original.toString()).code()).isZero();
        CliTestAccess.Result r = CliTestAccess.cnnc("run", back.toString(), "--weights", tmp.resolve("back.safetensors").toString(),
                "--input", x.toString(), "--output", roundTrip.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertClose(Npy.read(roundTrip).data(), Npy.read(original).data());
    }

    @Test
    void everyExportableLayerAgreesWithOnnxRuntime() throws Exception {
        Path cnn = tmp.resolve("layers.cnn");
        Files.writeString(cnn, """
                network Layers {
                  input x: [4, 9, 10]
                  conv(8, 3, stride=(2, 1), pad=(1, 2), dilation=(1, 2), groups=2) -> bn(eps=1e-3) -> leakyrelu(alpha=0.2)
                  dwconv(3, pad=1, multiplier=2) -> layernorm -> scale(init=0.5) -> gelu
                  y = identity
                  a = y -> avgpool(3, stride=2, pad=1, ceil=true)
                  b = y -> maxpool(3, stride=2, pad=1, ceil=true) -> hardswish
                  s = a -> gap -> conv(16, 1) -> hardsigmoid
                  c = concat(a * s, b -> tanh, a -> silu, (b -> relu6) + (a -> sigmoid))
                  c -> softmax -> adaptiveavgpool(1) -> dropout(0.3) -> flatten -> dense(12) -> relu -> dense(5)
                }
                """);
        Graph graph = Compiler.compile(SourceFile.read(cnn)).networks().getFirst();
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 3);
        // Non-trivial batch-norm statistics, so that they are really exported.
        Random random = new Random(5);
        for (var e : params.entrySet()) {
            if (e.getKey().endsWith("running_mean")) for (int i = 0; i < e.getValue().data().length; i++) e.getValue().data()[i] = (float) random.nextGaussian() * 0.1f;
            if (e.getKey().endsWith("running_var")) for (int i = 0; i < e.getValue().data().length; i++) e.getValue().data()[i] = 0.5f + random.nextFloat();
        }
        Path w = tmp.resolve("layers.safetensors");
        Safetensors.write(w, params, Map.of());
        Path onnx = tmp.resolve("layers.onnx");
        CliTestAccess.Result r = CliTestAccess.cnnc("export", cnn.toString(), "--weights", w.toString(), "-o", onnx.toString());
        assertThat(r.code()).as(r.err()).isZero();
        float[] input = new float[2 * 4 * 9 * 10];
        for (int i = 0; i < input.length; i++) input[i] = (float) random.nextGaussian();
        Tensor x = Tensor.of(input, 2, 4, 9, 10);
        float[] ours = new ReferenceExecutor(graph, WeightBinder.bind(graph, params, w)).run(List.of(x)).getFirst().data();
        assertClose(OnnxRuntimeOracle.run(onnx, x), ours);
    }

    @Test
    void whatOnnxCannotExpressIsAClearError() throws Exception {
        Path cnn = tmp.resolve("up.cnn");
        Files.writeString(cnn, "network Up { input x: [2, 3, 6]\n adaptiveavgpool((4, 7)) }");
        CliTestAccess.Result r = CliTestAccess.cnnc("export", cnn.toString(), "-o", tmp.resolve("up.onnx").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("adaptiveavgpool from 3x6 to 4x7 has no ONNX equivalent");
        assertThat(tmp.resolve("up.onnx")).doesNotExist();
    }
}
