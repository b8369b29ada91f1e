package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GELU as exporters write it before opset 20 (Div by sqrt 2, Erf, Add 1, Mul x, Mul 0.5): PyTorch's
 * nn.GELU at opsets 13 and 17 (src/test/fixtures/onnx/make_gelu_onnx.py) imports as gelu and
 * matches PyTorch, while a Div by sqrt 2 that is no GELU stays a scale; cnnc's own export of gelu
 * imports back.
 */
class OnnxGeluTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {13, 17})
    void pyTorchsGeluImportsAsGeluAndMatchesPyTorch(int opset) throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("gelu_opset" + opset + ".onnx"), DIR.resolve("gelu_x.npy"),
                DIR.resolve("gelu_y.npy"));
        assertThat(cnn).contains("-> gelu -> conv(").contains("-> scale(").doesNotContain("Erf");
    }

    @Test
    void cnncsExportOfGeluImportsBack() throws Exception {
        ExportedNetwork net = ExportedNetwork.export(tmp, "g", "network G { input x: [3, 5, 4]\n conv(6, 3, pad=1) -> gelu -> conv(2, 1) -> gelu }\n", 9);
        Tensor x = OnnxImportChecks.gaussian(2, 3, 5, 4);
        float[] ours = net.reference(x);
        Path back = net.importBack(tmp);
        assertThat(Files.readString(back)).contains("-> gelu");
        OnnxImportChecks.assertClose(ExportedNetwork.runImported(back, x), ours);
    }
}
