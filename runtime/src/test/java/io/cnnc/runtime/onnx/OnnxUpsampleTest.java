package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess;
import io.cnnc.runtime.io.Npy;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.Init;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import io.cnnc.kernels.OnnxGraph.Attribute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * upsample through ONNX: exported as Resize and checked by ONNX Runtime, imported from what
 * PyTorch writes for nn.Upsample (fixture by src/test/fixtures/onnx/make_upsample_onnx.py), from
 * sizes and from opset 9's Upsample, and clear errors for the Resize forms it does not take.
 */
class OnnxUpsampleTest {

    private static final String NET = "network U { input x: [3, 5, 3]\n conv(4, 3, pad=1) -> upsample((2, 3)) -> upsample(2, mode=\"bilinear\")"
            + " -> upsample((3, 2), mode=\"bilinear\", align_corners=true) }\n";

    @TempDir
    Path tmp;

    @Test
    void exportAgreesWithOnnxRuntimeAndImportsBack() throws Exception {
        ExportedNetwork net = ExportedNetwork.export(tmp, "u", NET, 3);
        Tensor x = OnnxImportChecks.gaussian(2, 3, 5, 3);
        float[] ours = net.reference(x);
        OnnxImportChecks.assertClose(OnnxRuntimeOracle.run(net.onnx(), x), ours);

        Path back = net.importBack(tmp);
        assertThat(Files.readString(back)).contains("upsample((2, 3))", "upsample(2, mode=\"bilinear\")",
                "upsample((3, 2), mode=\"bilinear\", align_corners=true)");
        OnnxImportChecks.assertClose(run(back, tmp.resolve("back.safetensors"), x), ours);
    }

    /** What torch.onnx.export writes for nn.Upsample at opset 17, run against PyTorch's own output. */
    @Test
    void pyTorchsResizeImportsAndMatchesPyTorch() throws Exception {
        Path onnx = tmp.resolve("torch.onnx");
        Files.write(onnx, resource("upsample_opset17.onnx"));
        Path cnn = tmp.resolve("torch.cnn");
        CliTestAccess.Result imported = CliTestAccess.cnnc("import", onnx.toString(), "-o", cnn.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        Tensor x = Npy.read(fixture("upsample_x.npy"));
        OnnxImportChecks.assertClose(run(cnn, tmp.resolve("torch.safetensors"), x), Npy.read(fixture("upsample_y.npy")).data());
    }

    @Test
    void sizesAndOpset9UpsampleImport() throws Exception {
        Init sizes = new Init("sizes", new long[] {4}, null, new long[] {1, 2, 8, 12});
        Path resize = model("sizes.onnx", 17, new NodeSpec("Resize", "grow", List.of("x", "", "", "sizes"), List.of("y"),
                List.of(Attribute.of("mode", "linear"), Attribute.of("coordinate_transformation_mode", "pytorch_half_pixel"))), List.of(sizes), 8, 12);
        assertThat(importText(resize)).contains("upsample((2, 3), mode=\"bilinear\")");
        Init scales = new Init("scales", new long[] {4}, new float[] {1, 1, 2, 3}, null);
        Path old = model("old.onnx", 9, new NodeSpec("Upsample", "up", List.of("x", "scales"), List.of("y"),
                List.of(Attribute.of("mode", "nearest"))), List.of(scales), 8, 12);
        Path cnn = tmp.resolve("old.cnn");
        assertThat(CliTestAccess.cnnc("import", old.toString(), "-o", cnn.toString()).code()).isZero();
        assertThat(Files.readString(cnn)).contains("upsample((2, 3))");
        Tensor x = OnnxImportChecks.gaussian(1, 2, 4, 4);
        OnnxImportChecks.assertClose(run(cnn, null, x), OnnxRuntimeOracle.run(old, x));
    }

    /** ONNX's default nearest (half-pixel centres, rounded) picks floor(d / s) at whole factors, as ONNX Runtime shows. */
    @Test
    void defaultNearestResizeImportsAsUpsample() throws Exception {
        Init scales = new Init("s", new long[] {4}, new float[] {1, 1, 3, 2}, null);
        Path onnx = model("default.onnx", 17, resize(List.of()), List.of(scales), 12, 8);
        assertThat(importText(onnx)).contains("upsample((3, 2))");
        Tensor x = OnnxImportChecks.gaussian(2, 2, 4, 4);
        OnnxImportChecks.assertClose(run(tmp.resolve("default.onnx.cnn"), null, x), OnnxRuntimeOracle.run(onnx, x));
    }

    @Test
    void resizeFormsUpsampleCannotTakeAreClearErrors() throws Exception {
        Init half = new Init("s", new long[] {4}, new float[] {1, 1, 1.5f, 2}, null);
        Init two = new Init("s", new long[] {4}, new float[] {1, 1, 2, 2}, null);
        assertThat(OnnxImportChecks.importError(tmp, model("frac.onnx", 17, resize(List.of(Attribute.of("coordinate_transformation_mode", "asymmetric"),
                Attribute.of("nearest_mode", "floor"))), List.of(half), 6, 8)))
                .contains("Resize 'r'", "scales [1.0, 1.0, 1.5, 2.0]", "whole factors");
        assertThat(OnnxImportChecks.importError(tmp, model("cubic.onnx", 17, resize(List.of(Attribute.of("mode", "cubic"))), List.of(two), 8, 8)))
                .contains("Resize 'r'", "mode \"cubic\"");
        assertThat(OnnxImportChecks.importError(tmp, model("round.onnx", 17, resize(List.of(Attribute.of("coordinate_transformation_mode", "asymmetric"))),
                List.of(two), 8, 8))).contains("Resize 'r'", "coordinate_transformation_mode \"asymmetric\" and nearest_mode \"round_prefer_floor\"");
        assertThat(OnnxImportChecks.importError(tmp, model("crop.onnx", 17, resize(List.of(Attribute.of("mode", "linear"),
                Attribute.of("coordinate_transformation_mode", "tf_crop_and_resize"))), List.of(two), 8, 8))).contains("tf_crop_and_resize");
    }

    private static NodeSpec resize(List<Attribute> attributes) {
        return new NodeSpec("Resize", "r", List.of("x", "", "s"), List.of("y"), attributes);
    }

    private Path model(String name, long opset, NodeSpec node, List<Init> inits, int outH, int outW) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, OnnxWriter.model("g", opset, List.of(node), inits, List.of(new IO("x", new long[] {-1, 2, 4, 4})),
                List.of(new IO("y", new long[] {-1, 2, outH, outW}))));
        return p;
    }

    private String importText(Path onnx) throws Exception {
        Path cnn = tmp.resolve(onnx.getFileName() + ".cnn");
        CliTestAccess.Result r = CliTestAccess.cnnc("import", onnx.toString(), "-o", cnn.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return Files.readString(cnn);
    }

    private float[] run(Path cnn, Path weights, Tensor x) throws Exception {
        Path xPath = tmp.resolve("x.npy");
        Npy.write(xPath, x);
        Path y = tmp.resolve("y.npy");
        CliTestAccess.Result run = weights == null
                ? CliTestAccess.cnnc("run", cnn.toString(), "--input", xPath.toString(), "--output", y.toString())
                : CliTestAccess.cnnc("run", cnn.toString(), "--weights", weights.toString(), "--input", xPath.toString(), "--output", y.toString());
        assertThat(run.code()).as(run.err()).isZero();
        return Npy.read(y).data();
    }

    private static byte[] resource(String name) throws Exception {
        try (var in = OnnxUpsampleTest.class.getResourceAsStream("/onnx/" + name)) {
            return in.readAllBytes();
        }
    }

    private Path fixture(String name) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, resource(name));
        return p;
    }
}
