package io.cnnc.kernels.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.kernels.ActivationKind;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The activation parts of the GPU program come from GpuActivation's table: every kind has its
 * code and a case in {@code activate} and {@code activate_grad}, in both dialects, and a code with
 * no case gives NaN instead of passing its input through.
 */
class GpuActivationSourceTest {

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void everyKindHasItsCodeAndACaseInBothFunctions(Dialect dialect) {
        String program = GpuSource.program(dialect);
        String forward = function(program, "activate");
        String derivative = function(program, "activate_grad");
        for (ActivationKind k : ActivationKind.values()) {
            String macro = GpuActivation.macro(k);
            assertThat(program).as("%s's code", k).containsOnlyOnce("#define " + macro + " " + GpuActivation.code(k) + "\n");
            assertThat(forward).as("%s in activate", k).containsOnlyOnce("case " + macro + ": return " + GpuActivation.formula(k).forward() + ";");
            assertThat(derivative).as("%s in activate_grad", k).containsOnlyOnce("case " + macro + ": " + GpuActivation.formula(k).derivative());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anUnknownCodeGivesNanNotItsInput(Dialect dialect) {
        String program = GpuSource.program(dialect);
        assertThat(program).doesNotContain("default: return v;").doesNotContain("default: return 1.0f;");
        assertThat(function(program, "activate")).contains("default: return QNAN;");
        assertThat(function(program, "activate_grad")).contains("default: return QNAN;");
        assertThat(program).containsPattern("(?m)^#define QNAN \\S");
    }

    @Test
    void identityIsCodeZeroAndPassesItsInputThrough() {
        assertThat(GpuActivation.code(ActivationKind.IDENTITY)).isZero().isEqualTo(GpuActivation.code(null)).isEqualTo(GpuActivation.NONE);
        assertThat(GpuActivation.macro(ActivationKind.IDENTITY)).isEqualTo("ACT_NONE");
        assertThat(GpuActivation.formula(ActivationKind.IDENTITY)).isEqualTo(new GpuActivation.Formula(0, "v", "return 1.0f;"));
    }

    @Test
    void codesAreDistinct() {
        assertThat(Arrays.stream(ActivationKind.values()).map(GpuActivation::code)).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void noMarkerIsLeftInTheProgram(Dialect dialect) {
        assertThat(GpuSource.program(dialect)).doesNotContain("@generated");
    }

    @Test
    void anUnknownMarkerIsRefusedByName() {
        assertThatThrownBy(() -> GpuSource.fillMarkers("x.cl", "/* @generated: nothing (a typo) */\n"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("x.cl").hasMessageContaining("'nothing'");
    }

    /** The text of {@code DEVICE_FN float name(...) { ... }} up to its closing brace at column 0. */
    private static String function(String program, String name) {
        Matcher m = Pattern.compile("(?ms)^DEVICE_FN float " + name + "\\(.*?^}$").matcher(program);
        assertThat(m.find()).as("%s in the program", name).isTrue();
        return m.group();
    }
}
