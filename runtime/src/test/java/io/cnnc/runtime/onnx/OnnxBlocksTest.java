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

    /** One stage of three equal blocks: one block repeated three times in a stage block, the weights under PyTorch's dotted names. */
    @Test
    void threeBasicBlocksImportAsOneBlockRepeatedThreeTimes() throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("blocks_opset13.onnx"), DIR.resolve("blocks_x.npy"), DIR.resolve("blocks_y.npy"));
        assertThat(cnn).contains("block layer1_unit() {", "t1 + in -> relu", "block layer1_stage() {\n  repeat 3 layer1_unit()\n}",
                "-> layer1_stage(name=\"layer1\")");
        assertThat(Safetensors.read(tmp.resolve("n.safetensors")).keySet()).contains("layer1.2.conv2.weight").doesNotContain("layer1_2_conv2.weight");
    }

    /**
     * ResNet's stages as torchvision writes them (make_stages_onnx.py): blocks that differ only in
     * their channels are one block with a parameter, the stages of a strided block and a plain
     * one are one stage block with a parameter, and the file reads as examples/resnet18.cnn does.
     */
    @Test
    void blocksThatDifferInTheirChannelsTakeThemAsAParameter() throws Exception {
        String cnn = OnnxImportChecks.importsAndMatches(tmp, DIR.resolve("stages_opset13.onnx"), DIR.resolve("stages_x.npy"), DIR.resolve("stages_y.npy"));
        assertThat(cnn).contains("block unit(c) {\n  t1 = in -> conv(c, 3, stride=1, pad=1, bias=true, name=\"conv1\")",
                "block stage(c) {\n  repeat 1 unit2(c)\n  repeat 1 unit(c)\n}",
                "-> layer1_stage(name=\"layer1\") -> stage(16, name=\"layer2\") -> stage(32, name=\"layer3\") -> gap");
        assertThat(Safetensors.read(tmp.resolve("n.safetensors")).keySet())
                .contains("layer1.1.conv2.weight", "layer2.0.downsample_0.weight", "layer3.1.conv1.bias", "fc.weight");
    }
}
