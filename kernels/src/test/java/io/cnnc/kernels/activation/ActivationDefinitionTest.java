package io.cnnc.kernels.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the compiler cannot check of the definitions: the names and codes they choose are unique and stable. */
class ActivationDefinitionTest {

    @Test
    void namesGpuCodesAndOnnxImportsAreUnique() {
        ActivationKind[] kinds = ActivationKind.values();
        assertThat(Arrays.stream(kinds).map(k -> k.definition().name())).doesNotHaveDuplicates();
        assertThat(Arrays.stream(kinds).map(k -> k.definition().gpu().code())).doesNotHaveDuplicates();
        assertThat(Arrays.stream(kinds).flatMap(k -> k.definition().onnxImports().stream())).doesNotHaveDuplicates();
    }

    /** The ACT_* numbers are an interface of the kernels (and of the committed CUDA copies): they must not move. */
    @Test
    void existingGpuCodesKeepTheirNumbers() {
        Map<ActivationKind, Integer> codes = Map.of(ActivationKind.IDENTITY, 0, ActivationKind.RELU, 1, ActivationKind.RELU6, 2,
                ActivationKind.LEAKY_RELU, 3, ActivationKind.SIGMOID, 4, ActivationKind.TANH, 5, ActivationKind.GELU, 6,
                ActivationKind.SILU, 7, ActivationKind.HARDSWISH, 8, ActivationKind.HARDSIGMOID, 9);
        codes.forEach((kind, code) -> assertThat(kind.definition().gpu().code()).as("%s", kind).isEqualTo(code));
    }

    @Test
    void onlyLeakyReluTakesAlpha() {
        for (ActivationKind k : ActivationKind.values()) {
            assertThat(k.definition().takesAlpha()).as("%s", k).isEqualTo(k == ActivationKind.LEAKY_RELU);
        }
    }
}
