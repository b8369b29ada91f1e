package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess;
import io.cnnc.runtime.exec.ReferenceExecutor;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.Init;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Global pooling written as a reduction over H and W (MnasNet's {@code x.mean([2, 3])}, and
 * torch.amax with keepdim) imports as gap or globalmaxpool, a flatten after it where the axes are
 * dropped (src/test/fixtures/onnx/make_reduce_onnx.py, opsets 13 and 17), and matches PyTorch;
 * opset 18's axes as an input too; a reduction over the channels is listed as not importable.
 */
class OnnxReduceTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {13, 17})
    void pyTorchsReductionsImportAsGlobalPoolingAndMatchPyTorch(int opset) throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("reduce_opset" + opset + ".onnx"), DIR.resolve("reduce_x.npy"),
                DIR.resolve("reduce_y.npy"));
        assertThat(cnn).contains("-> gap -> flatten").contains("-> globalmaxpool");
    }

    @Test
    void opset18sAxesInputImportsAndAChannelReductionDoesNot() throws Exception {
        Path cnn = tmp.resolve("a.cnn");
        CliTestAccess.Result r = CliTestAccess.cnnc("import", model(18, new long[] {-2, -1}).toString(), "-o", cnn.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(cnn)).contains("-> gap -> flatten");
        Graph graph = Compiler.compile(SourceFile.read(cnn)).networks().getFirst();
        Tensor x = OnnxImportChecks.gaussian(2, 3, 4, 5);
        float[] y = new ReferenceExecutor(graph, java.util.Map.of()).run(List.of(x)).getFirst().data();
        float[] want = new float[6];
        for (int i = 0; i < 6; i++) {
            double s = 0;
            for (int p = 0; p < 20; p++) s += x.data()[i * 20 + p];
            want[i] = (float) (s / 20);
        }
        OnnxImportChecks.assertClose(y, want);
        assertThat(OnnxImportChecks.importError(tmp, model(18, new long[] {1}))).contains("ReduceMean 'reduce'");
    }

    /** x [N, 3, 4, 5] reduced by the mean over {@code axes}, given as an input (opset 18), without keeping them. */
    private Path model(int opset, long[] axes) throws Exception {
        List<NodeSpec> nodes = List.of(new NodeSpec("ReduceMean", "reduce", List.of("x", "axes"), List.of("y"), List.of(Attribute.of("keepdims", 0L))));
        List<Init> inits = List.of(new Init("axes", new long[] {axes.length}, null, axes));
        Path onnx = tmp.resolve("reduce" + axes.length + ".onnx");
        Files.write(onnx, OnnxWriter.model("g", opset, nodes, inits, List.of(new IO("x", new long[] {-1, 3, 4, 5})),
                List.of(new IO("y", new long[] {-1, 3}))));
        return onnx;
    }
}
