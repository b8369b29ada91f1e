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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * channelshuffle through ONNX: exported as Reshape [N, g, C/g, H, W], Transpose [0, 2, 1, 3, 4],
 * Reshape [N, C, H, W]; that pattern, as PyTorch writes it for ShuffleNet's view/transpose/view
 * (src/test/fixtures/onnx/make_channelshuffle_fixtures.py), imports as channelshuffle; any
 * other 5-D value or Transpose stays a clear error.
 */
class OnnxChannelShuffleTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    /** The dynamic-batch export (shapes through Shape/Gather/Concat arithmetic) and a batch-1 export with constant shapes. */
    @ParameterizedTest
    @ValueSource(strings = {"shuffle_opset17", "shuffle_batch1_opset13"})
    void pyTorchsShuffleImportsAsChannelShuffleAndMatchesPyTorch(String name) throws Exception {
        Path onnx = DIR.resolve(name + ".onnx");
        Path cnn = tmp.resolve("s.cnn");
        CliTestAccess.Result r = CliTestAccess.cnnc("import", onnx.toString(), "-o", cnn.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(cnn)).contains("-> channelshuffle(3)", "-> channelshuffle(4)");
        Graph graph = Compiler.compile(SourceFile.read(cnn)).networks().getFirst();
        Path weights = tmp.resolve("s.safetensors");
        var params = WeightBinder.bind(graph, Safetensors.read(weights), weights);
        Tensor x = Npy.read(DIR.resolve("shuffle_x.npy"));
        float[] want = Npy.read(DIR.resolve("shuffle_y.npy")).data();
        if (name.contains("batch1")) {
            x = Tensor.of(Arrays.copyOf(x.data(), 3 * 6 * 5), 1, 3, 6, 5);
            want = Arrays.copyOf(want, 5);
        }
        float[] y = new ReferenceExecutor(graph, params).run(List.of(x)).getFirst().data();
        OnnxImportChecks.assertClose(y, want);
        OnnxImportChecks.assertClose(y, OnnxRuntimeOracle.run(onnx, x));
    }

    @Test
    void exportAgreesWithOnnxRuntimeAndImportsBackAsChannelShuffle() throws Exception {
        ExportedNetwork net = ExportedNetwork.export(tmp, "c",
                "network C { input x: [6, 5, 4]\n conv(12, 1) -> channelshuffle(3) -> relu -> channelshuffle(12) -> conv(4, 3) }\n", 3);
        Tensor x = OnnxImportChecks.gaussian(2, 6, 5, 4);
        float[] ours = net.reference(x);
        OnnxImportChecks.assertClose(OnnxRuntimeOracle.run(net.onnx(), x), ours);

        Path back = net.importBack(tmp);
        assertThat(Files.readString(back)).contains("-> channelshuffle(3)", "-> channelshuffle(12)");
        OnnxImportChecks.assertClose(ExportedNetwork.runImported(back, x), ours);
    }

    @Test
    void aTransposeOtherThanTheShufflesIsAClearError() throws Exception {
        assertThat(OnnxImportChecks.importError(tmp, shuffleModel(new long[] {0, 2, 1, 4, 4}, new long[] {0, 1, 2, 4, 3}, new long[] {0, 2, 4, 4})))
                .contains("Transpose 't': only the Transpose of a channel shuffle is supported (Reshape to [N, g, C/g, H, W], Transpose perm [0, 2, 1, 3, 4]");
        Path onnx = tmp.resolve("t4.onnx");
        Files.write(onnx, OnnxWriter.model("g", 17, List.of(new NodeSpec("Transpose", "t", List.of("x"), List.of("y"),
                List.of(Attribute.of("perm", 0L, 1L, 3L, 2L)))), List.of(), List.of(X), List.of(Y)));
        assertThat(OnnxImportChecks.importError(tmp, onnx)).contains("Transpose 't': only the Transpose of a channel shuffle is supported");
    }

    @Test
    void aFiveDimensionalValueOutsideAShuffleIsAClearError() throws Exception {
        assertThat(OnnxImportChecks.importError(tmp, shuffleModel(new long[] {0, 2, 1, 4, 4}, null, null)))
                .contains("Relu 'r': a 5-D value that is not part of a channel shuffle");
        assertThat(OnnxImportChecks.importError(tmp, shuffleModel(new long[] {0, 2, 1, 4, 4}, new long[] {0, 2, 1, 3, 4}, new long[] {0, 2, 16, 1})))
                .contains("Reshape 'back': a 5-D value must be reshaped back to [N, 2, 4, 4]");
        assertThat(OnnxImportChecks.importError(tmp, shuffleModel(new long[] {0, 2, 2, 2, 4}, new long[] {0, 2, 1, 3, 4}, new long[] {0, 2, 4, 4})))
                .contains("Reshape 'split': only reshapes that flatten");
    }

    private static final IO X = new IO("x", new long[] {-1, 2, 4, 4});
    private static final IO Y = new IO("y", new long[] {-1, 2, 4, 4});

    /** Reshape x to {@code split}, then Transpose by {@code perm} and Reshape to {@code back}, or (perm null) a Relu of the 5-D value. */
    private Path shuffleModel(long[] split, long[] perm, long[] back) throws Exception {
        List<NodeSpec> nodes = new ArrayList<>();
        List<Init> inits = new ArrayList<>();
        inits.add(new Init("s5", new long[] {split.length}, null, split));
        nodes.add(new NodeSpec("Reshape", "split", List.of("x", "s5"), List.of("v5"), List.of()));
        if (perm == null) {
            nodes.add(new NodeSpec("Relu", "r", List.of("v5"), List.of("y"), List.of()));
        } else {
            nodes.add(new NodeSpec("Transpose", "t", List.of("v5"), List.of("t5"), List.of(Attribute.of("perm", perm))));
            inits.add(new Init("s4", new long[] {back.length}, null, back));
            nodes.add(new NodeSpec("Reshape", "back", List.of("t5", "s4"), List.of("y"), List.of()));
        }
        Path onnx = tmp.resolve("m" + Arrays.hashCode(split) + Arrays.hashCode(perm) + Arrays.hashCode(back) + ".onnx");
        Files.write(onnx, OnnxWriter.model("g", 17, nodes, inits, List.of(X), List.of(Y)));
        return onnx;
    }
}
