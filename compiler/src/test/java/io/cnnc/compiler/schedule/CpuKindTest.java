package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuKindTest {

    @Test
    void zen4IsAmdFamily25() {
        assertThat(CpuKind.isZen4(List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 17"))).isTrue();
    }

    @Test
    void otherFamiliesAndVendorsAreNot() {
        assertThat(CpuKind.isZen4(List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 26"))).isFalse();
        assertThat(CpuKind.isZen4(List.of("vendor_id\t: GenuineIntel", "cpu family\t: 25"))).isFalse();
        assertThat(CpuKind.isZen4(List.of())).isFalse();
    }

    @Test
    void everyKindShipsItsTable() {
        for (CpuKind k : CpuKind.values()) {
            assertThat(Efficiencies.class.getResource(k.efficiencyTable())).as(k.name()).isNotNull();
        }
    }
}
