package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuKindTest {

    @Test
    void zen4IsAmdFamily25() {
        assertThat(CpuKind.wideKind(List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 17"))).isEqualTo(CpuKind.ZEN4);
    }

    @Test
    void zen5IsAmdFamily26() {
        assertThat(CpuKind.wideKind(List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 26", "model\t\t: 2"))).isEqualTo(CpuKind.ZEN5);
    }

    @Test
    void otherFamiliesAndVendorsAreTakenForXeons() {
        assertThat(CpuKind.wideKind(List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 27"))).isEqualTo(CpuKind.AVX512);
        assertThat(CpuKind.wideKind(List.of("vendor_id\t: GenuineIntel", "cpu family\t: 25"))).isEqualTo(CpuKind.AVX512);
        assertThat(CpuKind.wideKind(List.of())).isEqualTo(CpuKind.AVX512);
    }

    @Test
    void everyKindShipsItsTable() {
        for (CpuKind k : CpuKind.values()) {
            assertThat(Efficiencies.class.getResource(k.efficiencyTable())).as(k.name()).isNotNull();
        }
    }
}
