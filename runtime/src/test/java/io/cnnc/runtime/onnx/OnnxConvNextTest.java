package io.cnnc.runtime.onnx;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ConvNeXt stage as torchvision writes it (src/test/fixtures/onnx/make_convnext_block_onnx.py,
 * opsets 13 and 17): the block's layer norm, Linear layers (MatMul, Add with the bias first) and
 * GELU between its two Transposes become one chain of per-pixel layers, 1x1 convs for the
 * Linears, and the stage matches PyTorch. At opset 13 each layer norm is written out
 * (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add; the block's weight an Identity of
 * the stem's equal one) and imports as the same layernorm.
 */
class OnnxConvNextTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {13, 17})
    void aConvNextBlockImportsAsAChainOfPerPixelLayers(int opset) throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("convnext_block_opset" + opset + ".onnx"), DIR.resolve("convnext_x.npy"),
                DIR.resolve("convnext_y.npy"));
        assertThat(cnn).containsPattern("-> layernorm\\(eps=1.0e-6, name=\"[A-Za-z0-9_]+\"\\) -> conv\\(32, 1, bias=false, name=\"[A-Za-z0-9_]+\"\\) "
                + "-> shift\\(name=\"[A-Za-z0-9_]+\"\\) -> gelu -> conv\\(8, 1, bias=false, name=\"[A-Za-z0-9_]+\"\\) -> shift\\(")
                .doesNotContain("Transpose").doesNotContain("Erf");
    }
}
