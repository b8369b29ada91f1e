package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.Init;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channel slices through ONNX. Imported as PyTorch exports them
 * (src/test/fixtures/onnx/make_shufflenet_block_onnx.py, opset 13): torchvision's ShuffleNetV2
 * units, whose x.chunk(2, dim=1) becomes two Slices with ends computed from the input's shape,
 * and torch.split into unequal parts, an ONNX Split with sizes and three outputs, each reused;
 * both match PyTorch. Exported as Slice, agreeing with ONNX Runtime and importing back. A slice
 * of another axis or with a step is a clear error.
 */
class OnnxShuffleNetTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @Test
    void shuffleNetUnitsImportWithTheirChunkAsTwoSlices() throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("shufflenet_units_opset13.onnx"), DIR.resolve("shufflenet_units_x.npy"),
                DIR.resolve("shufflenet_units_y.npy"));
        assertThat(cnn).contains("-> slice(0, 8)", "-> slice(8, 16)", "channelshuffle(2)").doesNotContain("Slice");
    }

    @Test
    void aSplitIntoUnequalPartsImportsAsOneSliceAPart() throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("channel_split_opset13.onnx"), DIR.resolve("channel_split_x.npy"),
                DIR.resolve("channel_split_y.npy"));
        assertThat(cnn).contains("-> slice(0, 3)", "-> slice(3, 8)", "-> slice(8, 10)");
    }

    @Test
    void exportAgreesWithOnnxRuntimeAndImportsBackAsSlices() throws Exception {
        ExportedNetwork net = ExportedNetwork.export(tmp, "s",
                "network S { input x: [6, 5, 4]\n a = x -> conv(8, 1)\n concat(a -> slice(5, 8), a -> slice(0, 3) -> relu, a -> slice(2, 7)) }\n", 3);
        Tensor x = OnnxImportChecks.gaussian(2, 6, 5, 4);
        float[] ours = net.reference(x);
        OnnxImportChecks.assertClose(OnnxRuntimeOracle.run(net.onnx(), x), ours);
        Path back = net.importBack(tmp);
        assertThat(Files.readString(back)).contains("-> slice(5, 8)", "-> slice(0, 3)", "-> slice(2, 7)");
        OnnxImportChecks.assertClose(ExportedNetwork.runImported(back, x), ours);
    }

    @Test
    void aSliceOfAnotherAxisOrWithAStepIsAClearError() throws Exception {
        assertThat(OnnxImportChecks.importError(tmp, sliceModel("h", 2, 1))).contains("Slice 's': slices axis 2 (cnnc's slice takes a range of channels, axis 1)");
        assertThat(OnnxImportChecks.importError(tmp, sliceModel("step", 1, 2))).contains("Slice 's': step 2 (cnnc's slice takes every channel of its range)");
    }

    /** x [N, 4, 4, 4] sliced from 1 to 3 along {@code axis} with {@code step}. */
    private Path sliceModel(String name, long axis, long step) throws Exception {
        Path onnx = tmp.resolve(name + ".onnx");
        List<Init> inits = List.of(new Init("starts", new long[] {1}, null, new long[] {1}), new Init("ends", new long[] {1}, null, new long[] {3}),
                new Init("axes", new long[] {1}, null, new long[] {axis}), new Init("steps", new long[] {1}, null, new long[] {step}));
        Files.write(onnx, OnnxWriter.model("g", 13, List.of(new NodeSpec("Slice", "s", List.of("x", "starts", "ends", "axes", "steps"), List.of("y"),
                List.of())), inits, List.of(new IO("x", new long[] {-1, 4, 4, 4})), List.of(new IO("y", new long[] {-1, 2, 4, 4}))));
        return onnx;
    }
}
