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
 * Group and instance normalisation through ONNX. PyTorch's exports
 * (src/test/fixtures/onnx/make_groupnorm_onnx.py, opsets 13 and 17): nn.GroupNorm written as
 * Reshape, InstanceNormalization, Reshape, Mul, Add imports as groupnorm then scale and shift,
 * nn.InstanceNorm2d as instancenorm, and the network matches PyTorch. cnnc's export of both,
 * with and without an affine map, agrees with ONNX Runtime and imports back.
 */
class OnnxGroupNormTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {13, 17})
    void pyTorchsGroupAndInstanceNormsImportAndMatch(int opset) throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("groupnorm_opset" + opset + ".onnx"), DIR.resolve("groupnorm_x.npy"),
                DIR.resolve("groupnorm_y.npy"));
        assertThat(cnn).contains("-> groupnorm(4, eps=1.0e-5, affine=false) -> scale(", "-> instancenorm(eps=1.0e-5, affine=true, name=\"inorm\")")
                .doesNotContain("Reshape");
    }

    @Test
    void exportAgreesWithOnnxRuntimeAndImportsBack() throws Exception {
        ExportedNetwork net = ExportedNetwork.export(tmp, "g", "network G { input x: [8, 5, 4]\n"
                + " groupnorm(2) -> relu -> groupnorm(4, eps=1e-3, affine=false) -> instancenorm -> conv(8, 1) -> instancenorm(affine=true) }\n", 3);
        Tensor x = OnnxImportChecks.gaussian(2, 8, 5, 4);
        float[] ours = net.reference(x);
        OnnxImportChecks.assertClose(OnnxRuntimeOracle.run(net.onnx(), x), ours);
        Path back = net.importBack(tmp);
        assertThat(Files.readString(back)).contains("groupnorm(2, eps=1.0e-5, affine=false)", "groupnorm(4, eps=0.001, affine=false)", "instancenorm(");
        OnnxImportChecks.assertClose(ExportedNetwork.runImported(back, x), ours);
    }
}
