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

    /** The kinds the tables were measured on; anything else is calibrated on first use. */
    @Test
    void onlyTheMeasuredKindsHaveATable() {
        assertThat(CpuKind.hasTable(List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 25"), false)).as("Zen 3").isTrue();
        assertThat(CpuKind.hasTable(List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 25"), true)).as("Zen 4").isTrue();
        assertThat(CpuKind.hasTable(List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 26"), true)).as("Zen 5").isTrue();
        assertThat(CpuKind.hasTable(List.of("vendor_id\t: GenuineIntel", "cpu family\t: 6"), true)).as("AVX-512 Xeon").isTrue();
        assertThat(CpuKind.hasTable(List.of("vendor_id\t: GenuineIntel", "cpu family\t: 6"), false)).as("AVX2 Intel").isFalse();
        assertThat(CpuKind.hasTable(List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 23"), false)).as("Zen 2").isFalse();
        assertThat(CpuKind.hasTable(List.of(), true)).as("no /proc/cpuinfo").isFalse();
    }

    @Test
    void everyKindShipsItsTable() {
        for (CpuKind k : CpuKind.values()) {
            assertThat(Efficiencies.class.getResource(k.efficiencyTable())).as(k.name()).isNotNull();
        }
    }
}
