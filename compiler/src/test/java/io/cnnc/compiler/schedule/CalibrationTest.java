package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A calibration cache is used only when it parses, was written for this machine and holds
 * positive, finite figures; anything else is reported unusable with the reason, never trusted.
 */
class CalibrationTest {

    private static final ConvGeometry G = new ConvGeometry(64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);

    private static Calibration sample(String machine) {
        return new Calibration(machine, 221.5, 30.2, 61.0, 0.015, 0.15, Map.of("direct", 0.71, "direct@2", 0.55),
                List.of(CalibratedLayers.Row.of("direct", G, 1, 0.7), CalibratedLayers.Row.of("direct", G, 2, 0.56)), "2026-12-07", 31.0);
    }

    @Test
    void aWrittenCalibrationReadsBackForItsMachine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.properties");
        sample("cpu x2").write(f);
        Calibration.Read r = Calibration.read(f, "cpu x2");
        assertThat(r).isInstanceOf(Calibration.Read.Usable.class);
        Calibration c = ((Calibration.Read.Usable) r).calibration();
        assertThat(c.peakGflopsPerCore()).isEqualTo(221.5);
        assertThat(c.efficiencies()).containsEntry("direct@2", 0.55).hasSize(2);
        assertThat(c.layers()).hasSize(2);
        // Over the shipped table: its keys where measured, the table's elsewhere, and the layer rows near the layers.
        Efficiencies shipped = new Efficiencies(Map.of("direct", 0.9, "winograd-f23", 0.4));
        Efficiencies merged = c.over(shipped);
        assertThat(merged.get("direct")).isEqualTo(0.71);
        assertThat(merged.get("winograd-f23")).isEqualTo(0.4);
        assertThat(merged.get("direct", G, 2)).isEqualTo(0.56, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void anotherMachinesCalibrationIsNotUsed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.properties");
        sample("other cpu x8").write(f);
        assertThat(Calibration.read(f, "cpu x2")).isInstanceOfSatisfying(Calibration.Read.Unusable.class,
                u -> assertThat(u.reason()).contains("another machine (other cpu x8)"));
    }

    @Test
    void aCorruptOrTruncatedFileIsNotUsed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.properties");
        String good = sample("cpu x2").text();
        for (String bad : List.of("\u0000\u0001garbage", good.replace("peak_gflops_per_core=", "peak_gflops_per_core=-"),
                good.replace("format=cnnc-calibration-1", "format=something-else"), good.replaceAll("(?m)^e\\.direct=.*$", "e.direct=x"),
                good.replaceAll("(?m)^bandwidth_gbs_2=.*$", "bandwidth_gbs_2=NaN"), good.substring(0, good.length() / 3))) {
            Files.writeString(f, bad);
            assertThat(Calibration.read(f, "cpu x2")).as(bad.length() > 60 ? bad.substring(0, 60) : bad).isInstanceOf(Calibration.Read.Unusable.class);
        }
        assertThat(Calibration.read(dir.resolve("absent.properties"), "cpu x2")).isInstanceOf(Calibration.Read.Absent.class);
    }

    /** Every name of the compact set is a layer of the full one. */
    @Test
    void theCompactLayerSetIsPartOfTheFullOne() {
        assertThat(CalibrationLayers.compact()).hasSize(11);
        assertThat(CalibrationLayers.all()).containsAll(CalibrationLayers.compact()).hasSize(38);
    }

    @Test
    void theCacheLivesUnderXdgOrTheGivenDirectory() {
        String before = System.getProperty("cnnc.calibration.dir");
        try {
            System.setProperty("cnnc.calibration.dir", "/tmp/cal");
            assertThat(Calibration.cacheFile("AMD EPYC (ZEN5, 512-bit vectors) x2")).isEqualTo(Path.of("/tmp/cal/AMD_EPYC_ZEN5_512-bit_vectors_x2.properties"));
        } finally {
            if (before == null) System.clearProperty("cnnc.calibration.dir");
            else System.setProperty("cnnc.calibration.dir", before);
        }
    }
}
