package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess;
import io.cnnc.runtime.io.Npy;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mish through ONNX: exported at opset 17 as x * Tanh(Softplus(x)), imported from that and from opset 18's Mish. */
class OnnxMishTest {

    @TempDir
    Path tmp;

    @Test
    void mishExportsAsItsDecompositionAndAgreesWithOnnxRuntime() throws Exception {
        ExportedNetwork net = ExportedNetwork.export(tmp, "mish",
                "network M { input x: [3, 5, 6]\n conv(4, 3, pad=1) -> mish -> maxpool(2) -> mish }\n", 3);
        Tensor x = input(2 * 3 * 5 * 6, 2, 3, 5, 6);
        assertClose(OnnxRuntimeOracle.run(net.onnx(), x), net.reference(x));
    }

    @Test
    void anOpset18MishNodeImportsAsMish() throws Exception {
        IO in = new IO("x", new long[] {-1, 2, 4, 4});
        IO out = new IO("y", new long[] {-1, 2, 4, 4});
        Path onnx = tmp.resolve("mish18.onnx");
        Files.write(onnx, OnnxWriter.model("g", 18, List.of(new NodeSpec("Mish", "mish", List.of("x"), List.of("y"), List.of())),
                List.of(), List.of(in), List.of(out)));
        Path back = tmp.resolve("back.cnn");
        CliTestAccess.Result imported = CliTestAccess.cnnc("import", onnx.toString(), "-o", back.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(Files.readString(back)).contains("mish");
        Tensor x = input(2 * 2 * 4 * 4, 2, 2, 4, 4);
        Path xPath = tmp.resolve("x.npy");
        Npy.write(xPath, x);
        Path y = tmp.resolve("y.npy");
        CliTestAccess.Result run = CliTestAccess.cnnc("run", back.toString(), "--input", xPath.toString(), "--output", y.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertClose(Npy.read(y).data(), OnnxRuntimeOracle.run(onnx, x));
    }

    /** What cnnc exports (and PyTorch writes below opset 18), x * Tanh(Softplus(x)), imports back as mish. */
    @Test
    void theExportedDecompositionImportsBackAsMish() throws Exception {
        Path cnn = tmp.resolve("m.cnn");
        Files.writeString(cnn, "network M { input x: [2, 4, 4]\n conv(3, 3, pad=1) -> mish }\n");
        Path onnx = tmp.resolve("m.onnx");
        assertThat(CliTestAccess.cnnc("export", cnn.toString(), "--seed", "4", "-o", onnx.toString()).code()).isZero();
        Path back = tmp.resolve("back.cnn");
        CliTestAccess.Result imported = CliTestAccess.cnnc("import", onnx.toString(), "-o", back.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(Files.readString(back)).contains("-> mish").doesNotContain("Softplus");
        Path xPath = tmp.resolve("x.npy");
        Npy.write(xPath, input(2 * 2 * 4 * 4, 2, 2, 4, 4));
        Path original = tmp.resolve("original.npy");
        Path roundTrip = tmp.resolve("round-trip.npy");
        assertThat(CliTestAccess.cnnc("run", cnn.toString(), "--seed", "4", "--input", xPath.toString(), "--output", original.toString()).code()).isZero();
        CliTestAccess.Result r = CliTestAccess.cnnc("run", back.toString(), "--weights", tmp.resolve("back.safetensors").toString(),
                "--input", xPath.toString(), "--output", roundTrip.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertClose(Npy.read(roundTrip).data(), Npy.read(original).data());
    }

    /** Softplus exists in cnnc only inside mish: on its own it is a clear error, not a crash or a silent drop. */
    @Test
    void aSoftplusOutsideMishIsAClearError() throws Exception {
        IO in = new IO("x", new long[] {-1, 2, 4, 4});
        IO out = new IO("y", new long[] {-1, 2, 4, 4});
        Path onnx = tmp.resolve("softplus.onnx");
        Files.write(onnx, OnnxWriter.model("g", 17, List.of(new NodeSpec("Softplus", "sp", List.of("x"), List.of("y"), List.of())),
                List.of(), List.of(in), List.of(out)));
        CliTestAccess.Result r = CliTestAccess.cnnc("import", onnx.toString(), "-o", tmp.resolve("out.cnn").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + onnx + ": ").contains("Softplus on 'x' is imported only inside mish's x * Tanh(Softplus(x))")
                .doesNotContain("internal error").doesNotContain("\tat ");
        assertThat(tmp.resolve("out.cnn")).doesNotExist();
    }

    /** Gaussian values times 6: both tails of mish (near 0 below, near x above) and its minimum near -1.2. */
    private static Tensor input(int n, int... shape) {
        Random random = new Random(5);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian() * 6;
        return Tensor.of(v, shape);
    }

    /** Float on both sides, exp/log/tanh implemented differently: 1e-5 of the largest magnitude. */
    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 1;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("[%d]", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset((float) (1e-5 * scale)));
        }
    }
}
