package io.cnnc.runtime.onnx;

import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The imported file's layout: single-use values merged into chains, values numbered again, PyTorch's scopes as layer names. */
class ImportedChainsTest {

    @Test
    void aValueOnlyTheNextLayerReadsJoinsItsChain() {
        List<String> outputs = new ArrayList<>(List.of("v7"));
        List<String> lines = ImportedChains.merge(List.of(
                "v1 = v0 -> conv(8, 3, name=\"v2\")",
                "v2 = v1 -> relu",
                "v3 = v2 -> conv(8, 1, name=\"b\")",
                "v4 = v2 -> relu",
                "v5 = v3 + v4",
                "v6 = v5 -> relu",
                "v7 = concat(v6, v2) -> gap"), outputs, Set.of("v0"));
        assertThat(lines).containsExactly(
                "v1 = v0 -> conv(8, 3, name=\"v2\") -> relu",
                "v2 = v1 -> conv(8, 1, name=\"b\")",
                "v3 = v1 -> relu",
                "v4 = v2 + v3 -> relu",
                "v5 = concat(v4, v1) -> gap");
        assertThat(outputs).containsExactly("v5");
    }

    @Test
    void anOutputOrAnInputKeepsItsName() {
        List<String> outputs = new ArrayList<>(List.of("v2", "v3"));
        List<String> lines = ImportedChains.merge(List.of("v2 = v0 -> relu", "v3 = v2 -> sigmoid", "v4 = v1 -> tanh", "v5 = v4 + v3"),
                outputs, Set.of("v0", "v1"));
        assertThat(lines).containsExactly("v2 = v0 -> relu", "v3 = v2 -> sigmoid", "v4 = v1 -> tanh", "v5 = v4 + v3");
        assertThat(outputs).containsExactly("v2", "v3");
    }

    /**
     * Two instances of one module structure (layer1.0, layer1.1) become one block, their layers
     * named inside it without the module's prefix, and the module holding them (layer1), all of
     * whose lines they are, a block repeating it, so the layers are named layer1.0.conv1 as in
     * PyTorch; an instance whose structure appears once stays as it is.
     */
    @Test
    void repeatedModuleInstancesBecomeOneBlock() {
        List<String> outputs = new ArrayList<>(List.of("v7"));
        ImportBlocks.Folded f = ImportBlocks.fold(List.of(
                "v1 = image -> conv(8, 3, name=\"stem\")",
                "v2 = v1 -> conv(8, 3, name=\"layer1_0_conv1\") -> relu",
                "v3 = v2 + v1 -> relu",
                "v4 = v3 -> conv(8, 3, name=\"layer1_1_conv1\") -> relu",
                "v5 = v4 + v3 -> relu",
                "v6 = v5 -> conv(16, 3, stride=2, name=\"layer2_0_conv1\")",
                "v7 = v6 + v5"), List.of("stem", "layer1.0.conv1", "layer1.0", "layer1.1.conv1", "layer1.1", "layer2.0.conv1", "layer2.0"),
                outputs, Set.of("image"));
        assertThat(f.blocks()).containsExactly("block layer1_unit() {\n  t1 = in -> conv(8, 3, name=\"conv1\") -> relu\n  t1 + in -> relu\n}",
                "block layer1_stage() {\n  repeat 2 layer1_unit()\n}");
        assertThat(f.lines()).containsExactly(
                "v1 = image -> conv(8, 3, name=\"stem\")",
                "v5 = v1 -> layer1_stage(name=\"layer1\")",
                "v6 = v5 -> conv(16, 3, stride=2, name=\"layer2_0_conv1\")",
                "v7 = v6 + v5");
        assertThat(f.renamed()).containsExactly(Map.entry("layer1_0_conv1", "layer1.0.conv1"), Map.entry("layer1_1_conv1", "layer1.1.conv1"));
        Map<String, io.cnnc.runtime.Tensor> w = new java.util.LinkedHashMap<>();
        w.put("layer1_1_conv1.weight", io.cnnc.runtime.Tensor.of(new float[1], 1));
        w.put("stem.bias", io.cnnc.runtime.Tensor.of(new float[1], 1));
        assertThat(ImportBlocks.renamed(w, f.renamed()).keySet()).containsExactly("layer1.1.conv1.weight", "stem.bias");
    }

    /**
     * Instances that differ only in their numbers are one block with a parameter per pattern of
     * differing values, and so are stages; a module with a line that is no instance (layer2's
     * ReLU) is no stage, its instance called by its own name.
     */
    @Test
    void instancesThatDifferInNumbersTakeParameters() {
        List<String> outputs = new ArrayList<>(List.of("v5"));
        ImportBlocks.Folded f = ImportBlocks.fold(List.of(
                "v1 = image -> conv(8, 3, pad=1, name=\"layer1_0_conv1\") -> conv(8, 1, name=\"layer1_0_conv2\")",
                "v2 = v1 -> conv(16, 3, pad=1, name=\"layer2_0_conv1\") -> conv(16, 1, name=\"layer2_0_conv2\")",
                "v3 = v2 -> relu",
                "v4 = v3 -> conv(32, 3, pad=1, name=\"layer3_0_conv1\") -> conv(4, 1, name=\"layer3_0_conv2\")",
                "v5 = v4 + v2"), List.of("layer1.0", "layer2.0", "layer2", "layer3.0", ""), outputs, Set.of("image"));
        assertThat(f.blocks()).containsExactly(
                "block unit(c, c2) {\n  in -> conv(c, 3, pad=1, name=\"conv1\") -> conv(c2, 1, name=\"conv2\")\n}",
                "block stage(c, c2) {\n  repeat 1 unit(c, c2)\n}");
        assertThat(f.lines()).containsExactly(
                "v1 = image -> stage(8, 8, name=\"layer1\")",
                "v2 = v1 -> unit(16, 16, name=\"layer2_0\")",
                "v3 = v2 -> relu",
                "v4 = v3 -> stage(32, 4, name=\"layer3\")",
                "v5 = v4 + v2");
    }

    /** Instances without a layer with weights (a ReLU module used twice) are no block; a wrapper's instances are found a level down. */
    @Test
    void blocksNeedWeightsAndMayBeThreeLevelsDown() {
        List<String> outputs = new ArrayList<>(List.of("v4"));
        ImportBlocks.Folded relus = ImportBlocks.fold(List.of("v1 = image -> relu", "v2 = v1 -> conv(4, 1, name=\"c\")", "v3 = v2 -> relu", "v4 = v3 -> gap"),
                List.of("net.act", "c", "net.act", ""), outputs, Set.of("image"));
        assertThat(relus.blocks()).isEmpty();
        ImportBlocks.Folded deep = ImportBlocks.fold(List.of(
                "v1 = image -> conv(4, 1, name=\"backbone_layer1_0_conv1\")",
                "v2 = v1 -> conv(4, 1, name=\"backbone_layer1_1_conv1\")"), List.of("backbone.layer1.0.conv1", "backbone.layer1.1.conv1"),
                new ArrayList<>(List.of("v2")), Set.of("image"), 3);
        assertThat(deep.blocks()).containsExactly("block layer1_unit() {\n  in -> conv(4, 1, name=\"conv1\")\n}",
                "block backbone_layer1_stage() {\n  repeat 2 layer1_unit()\n}");
        assertThat(deep.lines()).containsExactly("v2 = image -> backbone_layer1_stage(name=\"backbone_layer1\")");
    }

    @Test
    void pyTorchsScopesGiveTheModulePath() {
        assertThat(OnnxImporter.modulePath("/layer1/layer1.0/conv1/Conv")).isEqualTo("layer1.0.conv1");
        assertThat(OnnxImporter.modulePath("/stage2/stage2.0/branch1/branch1.0/Conv")).isEqualTo("stage2.0.branch1.0");
        assertThat(OnnxImporter.modulePath("/features/features.0/features.0.1/Add_1")).isEqualTo("features.0.1");
        assertThat(OnnxImporter.modulePath("/fc/Gemm")).isEqualTo("fc");
        assertThat(OnnxImporter.modulePath("Conv_12")).isEqualTo("Conv_12");
        assertThat(OnnxImporter.modulePath("/Flatten")).isEqualTo("/Flatten");
    }
}
