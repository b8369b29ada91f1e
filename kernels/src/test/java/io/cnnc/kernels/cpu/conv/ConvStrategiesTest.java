package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strategies as constants that generated code names, and by name as text. */
class ConvStrategiesTest {

    @Test
    void everyStrategyIsTheConstantItsNameNames() throws Exception {
        for (ConvStrategy s : ConvStrategies.all()) {
            Field f = ConvStrategies.class.getField(ConvStrategies.constantName(s));
            assertThat(Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers())).as(f.getName()).isTrue();
            assertThat(f.get(null)).as(s.name()).isSameAs(s);
        }
    }

    @Test
    void everyConstantIsRegistered() {
        List<Object> constants = Arrays.stream(ConvStrategies.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && ConvStrategy.class.isAssignableFrom(f.getType()))
                .map(f -> {
                    try {
                        return f.get(null);
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }).toList();
        assertThat(constants).containsExactlyInAnyOrderElementsOf(ConvStrategies.all());
    }

    @Test
    void onlyWinogradIsApproximate() {
        for (ConvStrategy s : ConvStrategies.all()) assertThat(s.approximate()).as(s.name()).isEqualTo(s.name().startsWith("winograd"));
    }

    @Test
    void aNameParsesToItsStrategyAndAnUnknownOneIsRefused() {
        for (ConvStrategy s : ConvStrategies.all()) assertThat(ConvStrategies.byName(s.name())).isSameAs(s);
        assertThat(ConvStrategies.all().stream().map(ConvStrategy::name).distinct()).hasSameSizeAs(ConvStrategies.all());
        assertThatIllegalArgumentException().isThrownBy(() -> ConvStrategies.byName("winograd-f63")).withMessageContaining("winograd-f63");
    }
}
