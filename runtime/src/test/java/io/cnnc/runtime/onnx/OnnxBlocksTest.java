package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.io.Safetensors;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repeated structure imports as a block (src/test/fixtures/onnx/make_blocks_onnx.py: torchvision's
 * BasicBlock three times in layer1, opset 13): one block called three times by the modules'
 * names, the weights under those names, and the network matches PyTorch.
 */
class OnnxBlocksTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    @Test
    void threeBasicBlocksImportAsOneBlockCalledThreeTimes() throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("blocks_opset13.onnx"), DIR.resolve("blocks_x.npy"), DIR.resolve("blocks_y.npy"));
        assertThat(cnn).contains("block layer1_unit() {", "t1 + in -> relu",
                "-> layer1_unit(name=\"layer1_0\") -> layer1_unit(name=\"layer1_1\") -> layer1_unit(name=\"layer1_2\")");
        assertThat(Safetensors.read(tmp.resolve("n.safetensors")).keySet()).contains("layer1_2.conv2.weight").doesNotContain("layer1_2_conv2.weight");
    }
}
