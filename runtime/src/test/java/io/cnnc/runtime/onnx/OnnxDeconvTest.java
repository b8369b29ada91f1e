package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.Init;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import io.cnnc.kernels.OnnxGraph.Attribute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ConvTranspose through ONNX. PyTorch's nn.ConvTranspose2d exports
 * (src/test/fixtures/onnx/make_deconv_onnx.py, opsets 13 and 17: kernel 4 stride 2, output
 * padding, groups with dilation, unequal strides and padding per axis) import as deconv layers
 * and match PyTorch; cnnc's export agrees with ONNX Runtime and imports back; output_shape is
 * refused by name.
 */
class OnnxDeconvTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {13, 17})
    void pyTorchsTransposedConvolutionsImportAndMatch(int opset) throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("deconv_opset" + opset + ".onnx"), DIR.resolve("deconv_x.npy"),
                DIR.resolve("deconv_y.npy"));
        // The exporter's input name is kept where the language takes it.
        assertThat(cnn).contains("input image: [6, 5, 4]", "= image -> deconv(8, 4, stride=2, pad=1, bias=true", "deconv(4, 3, stride=2, pad=1, output_pad=1, bias=true",
                "deconv(6, 3, stride=1, pad=2, dilation=2, groups=2, bias=false", "deconv(3, (3, 5), stride=(3, 2), pad=(0, 2), bias=true");
    }

    @Test
    void exportAgreesWithOnnxRuntimeAndImportsBack() throws Exception {
        ExportedNetwork net = ExportedNetwork.export(tmp, "d",
                "network D { input x: [6, 5, 4]\n deconv(4, 3, stride=2, pad=1, output_pad=1) -> relu -> deconv(6, (2, 3), stride=(1, 2), pad=(1, 0, 0, 2), groups=2) }\n", 3);
        Tensor x = OnnxImportChecks.gaussian(2, 6, 5, 4);
        float[] ours = net.reference(x);
        OnnxImportChecks.assertClose(OnnxRuntimeOracle.run(net.onnx(), x), ours);
        Path back = net.importBack(tmp);
        assertThat(Files.readString(back)).contains("deconv(4, 3, stride=2, pad=1, output_pad=1", "pad=(1, 0, 0, 2), groups=2");
        OnnxImportChecks.assertClose(ExportedNetwork.runImported(back, x), ours);
    }

    @Test
    void anOutputShapeIsAClearError() throws Exception {
        Path onnx = tmp.resolve("shape.onnx");
        List<Init> inits = List.of(new Init("w", new long[] {2, 3, 3, 3}, new float[54], null));
        Files.write(onnx, OnnxWriter.model("g", 13, List.of(new NodeSpec("ConvTranspose", "t", List.of("x", "w"), List.of("y"),
                List.of(Attribute.of("output_shape", 9L, 9L), Attribute.of("strides", 2L, 2L)))), inits,
                List.of(new IO("x", new long[] {-1, 2, 4, 4})), List.of(new IO("y", new long[] {-1, 3, 9, 9}))));
        assertThat(OnnxImportChecks.importError(tmp, onnx)).contains("ConvTranspose 't': output_shape (give pads and output_padding, as PyTorch exports)");
    }
}
