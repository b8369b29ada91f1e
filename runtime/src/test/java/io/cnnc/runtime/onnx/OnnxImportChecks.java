package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess;
import java.nio.file.Path;
import java.util.Random;

/** What the ONNX import tests share: a failing import's error, a seeded input, and float comparison. */
final class OnnxImportChecks {

    private OnnxImportChecks() {}

    /** `cnnc import` of {@code onnx} into {@code dir} fails cleanly, naming the file and writing nothing; returns its error output. */
    static String importError(Path dir, Path onnx) {
        CliTestAccess.Result r = CliTestAccess.cnnc("import", onnx.toString(), "-o", dir.resolve("out.cnn").toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + onnx + ": ").doesNotContain("internal error").doesNotContain("\tat ");
        assertThat(dir.resolve("out.cnn")).doesNotExist();
        return r.err();
    }

    /**
     * `cnnc import` of a PyTorch fixture into {@code dir}: it succeeds, and the network it writes
     * runs {@code x} (an .npy beside the fixture) to PyTorch's {@code y} within {@link #assertClose};
     * returns the .cnn text for the caller's checks of its form.
     */
    static String importsAndMatches(Path dir, Path onnx, Path x, Path y) throws Exception {
        Path cnn = dir.resolve("n.cnn");
        CliTestAccess.Result r = CliTestAccess.cnnc("import", onnx.toString(), "-o", cnn.toString());
        assertThat(r.code()).as(r.err()).isZero();
        io.cnnc.compiler.ir.Graph graph = io.cnnc.compiler.Compiler.compile(io.cnnc.dsl.SourceFile.read(cnn)).networks().getFirst();
        Path weights = dir.resolve("n.safetensors");
        float[] got = new io.cnnc.runtime.exec.ReferenceExecutor(graph, io.cnnc.runtime.weights.WeightBinder.bind(graph,
                io.cnnc.runtime.io.Safetensors.read(weights), weights)).run(java.util.List.of(io.cnnc.runtime.io.Npy.read(x))).getFirst().data();
        assertClose(got, io.cnnc.runtime.io.Npy.read(y).data());
        return java.nio.file.Files.readString(cnn);
    }

    /** Standard normal values of {@code shape} from seed 5. */
    static Tensor gaussian(int... shape) {
        Random random = new Random(5);
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return Tensor.of(v, shape);
    }

    /** Float on both sides, sums in different orders: 1e-5 of the largest magnitude (at least 1). */
    static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 1;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("[%d]", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset((float) (1e-5 * scale)));
        }
    }
}
