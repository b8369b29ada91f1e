package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess;
import io.cnnc.runtime.exec.ReferenceExecutor;
import io.cnnc.runtime.io.Npy;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.Init;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import io.cnnc.runtime.weights.WeightBinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * layernorm through ONNX: ConvNeXt's LayerNorm2d as PyTorch exports it (Transpose to channel-last,
 * LayerNormalization over the last axis, Transpose back) and nn.LayerNorm on [N, F]
 * (src/test/fixtures/onnx/make_layernorm_onnx.py) import as layernorm; cnnc's own export imports
 * back; a layer norm over other axes is a clear error.
 */
class OnnxLayerNormTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @Test
    void pyTorchsLayerNormsImportAsLayernormAndMatchPyTorch() throws Exception {
        Path onnx = DIR.resolve("layernorm_opset17.onnx");
        Path cnn = tmp.resolve("n.cnn");
        CliTestAccess.Result r = CliTestAccess.cnnc("import", onnx.toString(), "-o", cnn.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(cnn)).contains("-> layernorm(eps=1.0e-6", "-> layernorm(eps=1.0e-5").doesNotContain("Transpose");
        Graph graph = Compiler.compile(SourceFile.read(cnn)).networks().getFirst();
        Path weights = tmp.resolve("n.safetensors");
        Tensor x = Npy.read(DIR.resolve("layernorm_x.npy"));
        float[] y = new ReferenceExecutor(graph, WeightBinder.bind(graph, Safetensors.read(weights), weights)).run(List.of(x)).getFirst().data();
        OnnxImportChecks.assertClose(y, Npy.read(DIR.resolve("layernorm_y.npy")).data());
    }

    @Test
    void cnncsExportImportsBackAsLayernorm() throws Exception {
        ExportedNetwork net = ExportedNetwork.export(tmp, "l",
                "network L { input x: [4, 5, 3]\n conv(6, 3, pad=1) -> layernorm(eps=1e-5) -> relu -> conv(3, 1) -> layernorm }\n", 7);
        Tensor x = OnnxImportChecks.gaussian(2, 4, 5, 3);
        float[] ours = net.reference(x);
        Path back = net.importBack(tmp);
        assertThat(Files.readString(back)).contains("-> layernorm(eps=1.0e-5", "-> layernorm(eps=1.0e-6");
        OnnxImportChecks.assertClose(ExportedNetwork.runImported(back, x), ours);
    }

    @Test
    void aLayerNormOverOtherAxesIsAClearError() throws Exception {
        assertThat(OnnxImportChecks.importError(tmp, model(null, 1))).contains("LayerNormalization 'ln': LayerNormalization over axis 1 of a rank-4 value");
        assertThat(OnnxImportChecks.importError(tmp, model(new long[] {0, 2, 3, 1}, 2))).contains("LayerNormalization 'ln': LayerNormalization over axis 2 of a rank-4 value");
        assertThat(OnnxImportChecks.importError(tmp, model(new long[] {0, 2, 3, 1}, -1))).contains("output 'y' is a channel-last value (after a Transpose perm [0, 2, 3, 1]) read by something other than");
    }

    private static final IO X = new IO("x", new long[] {-1, 2, 4, 4});
    private static final IO Y = new IO("y", new long[] {-1, 2, 4, 4});

    /** A LayerNormalization at {@code axis}, after a Transpose by {@code perm} where it is not null, and no Transpose back. */
    private Path model(long[] perm, long axis) throws Exception {
        String in = perm == null ? "x" : "t";
        List<NodeSpec> nodes = new java.util.ArrayList<>();
        if (perm != null) nodes.add(new NodeSpec("Transpose", "to_last", List.of("x"), List.of("t"), List.of(Attribute.of("perm", perm))));
        nodes.add(new NodeSpec("LayerNormalization", "ln", List.of(in, "g", "b"), List.of("y"), List.of(Attribute.of("axis", axis))));
        List<Init> inits = List.of(new Init("g", new long[] {2}, new float[] {1, 2}, null), new Init("b", new long[] {2}, new float[] {0, 1}, null));
        Path onnx = tmp.resolve("ln" + axis + (perm == null ? "" : "t") + ".onnx");
        Files.write(onnx, OnnxWriter.model("g", 17, nodes, inits, List.of(X), List.of(Y)));
        return onnx;
    }
}
