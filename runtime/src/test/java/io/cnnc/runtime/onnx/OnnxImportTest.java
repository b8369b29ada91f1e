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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * `cnnc import` on a network PyTorch exported at opsets 9, 13 and 17
 * (src/test/fixtures/onnx/make_onnx_fixtures.py): the .cnn it writes, run with the weights it
 * writes, reproduces PyTorch's output and ONNX Runtime's on the same file.
 */
class OnnxImportTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {9, 13, 17})
    void importedNetworkMatchesPyTorch(int opset) throws Exception {
        Path cnn = tmp.resolve("small.cnn");
        CliTestAccess.Result r = CliTestAccess.cnnc("import", DIR.resolve("small_opset" + opset + ".onnx").toString(), "-o", cnn.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Graph graph = Compiler.compile(SourceFile.read(cnn)).networks().getFirst();
        Path weights = tmp.resolve("small.safetensors");
        var params = WeightBinder.bind(graph, Safetensors.read(weights), weights);
        Tensor y = new ReferenceExecutor(graph, params).run(List.of(Npy.read(DIR.resolve("small_x.npy")))).getFirst();
        float[] want = Npy.read(DIR.resolve("small_y.npy")).data();
        float[] ort = OnnxRuntimeOracle.run(DIR.resolve("small_opset" + opset + ".onnx"), Npy.read(DIR.resolve("small_x.npy")));
        // Softmax outputs in [0, 1]; float32 PyTorch and ONNX Runtime against our double-accumulating
        // reference differ by ~1e-8 (measured); 1e-6 leaves room, and a wrong op is off by > 1e-2.
        for (int i = 0; i < want.length; i++) {
            assertThat(y.data()[i]).as("vs PyTorch [%d]", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(y.data()[i]).as("vs ONNX Runtime [%d]", i).isCloseTo(ort[i], org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void unsupportedOpsAreAllListedAndNothingIsWritten() throws Exception {
        // The opset-9 export with its HardSigmoid node renamed to an op cnnc does not know.
        byte[] model = Files.readAllBytes(DIR.resolve("small_opset9.onnx"));
        String text = new String(model, java.nio.charset.StandardCharsets.ISO_8859_1).replace("HardSigmoid", "HardSigmoix");
        Path bad = tmp.resolve("bad.onnx");
        Files.write(bad, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Path cnn = tmp.resolve("out.cnn");
        CliTestAccess.Result r = CliTestAccess.cnnc("import", bad.toString(), "-o", cnn.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("unsupported op").contains("HardSigmoix '/HardSigmoix'").contains("opset 9").doesNotContain("\tat ");
        assertThat(cnn).doesNotExist();
        assertThat(tmp.resolve("out.safetensors")).doesNotExist();
    }

    @Test
    void malformedFilesGiveAClearError() throws Exception {
        Path junk = tmp.resolve("junk.onnx");
        Files.write(junk, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1, 2});
        CliTestAccess.Result r = CliTestAccess.cnnc("import", junk.toString(), "-o", tmp.resolve("x.cnn").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("junk.onnx: not a valid ONNX model").doesNotContain("\tat ");
        byte[] model = Files.readAllBytes(DIR.resolve("small_opset13.onnx"));
        Path cut = tmp.resolve("cut.onnx");
        Files.write(cut, java.util.Arrays.copyOf(model, model.length / 2));
        assertThat(CliTestAccess.cnnc("import", cut.toString(), "-o", tmp.resolve("y.cnn").toString()).err()).contains("cut.onnx");
    }
}
