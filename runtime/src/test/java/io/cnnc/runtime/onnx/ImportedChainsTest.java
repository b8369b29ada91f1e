package io.cnnc.runtime.onnx;

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
