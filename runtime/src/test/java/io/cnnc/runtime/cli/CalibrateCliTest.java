package io.cnnc.runtime.cli;

import static io.cnnc.runtime.cli.CliTestAccess.cnnc;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.schedule.Calibration;
import io.cnnc.compiler.schedule.CpuKind;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.runtime.cli.CliTestAccess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cnnc calibrate caches this machine's figures where every later compile reads them, and
 * --explain says which figures it ran on; a corrupt cache is ignored with a warning and measured
 * again, never trusted or crashed on. The measuring is cut short here (its budget), so the test
 * checks the plumbing, not the figures.
 */
class CalibrateCliTest {

    @TempDir
    Path tmp;

    private final Map<String, String> saved = new java.util.HashMap<>();

    @BeforeEach
    void ownCache() {
        for (String k : new String[] {"cnnc.calibration.dir", "cnnc.calibrate", "cnnc.calibrate.budget"}) saved.put(k, System.getProperty(k));
        System.setProperty("cnnc.calibration.dir", tmp.resolve("cache").toString());
        System.setProperty("cnnc.calibrate", "auto");
        System.setProperty("cnnc.calibrate.budget", "0");
    }

    @AfterEach
    void restore() {
        saved.forEach((k, v) -> {
            if (v == null) System.clearProperty(k);
            else System.setProperty(k, v);
        });
    }

    @Test
    void aCalibrationIsCachedUsedAndACorruptOneMeasuredAgain() throws Exception {
        Path net = tmp.resolve("n.cnn");
        Files.writeString(net, "network N { input x: [16, 8, 8]\n  x -> conv(16, 3, pad=1) -> relu -> gap -> flatten -> dense(3) }\n");
        Result before = cnnc("compile", net.toString(), "--explain", "--threads", "1");
        assertThat(before.code()).as(before.err()).isZero();
        // A CPU the repository has no table for (an AVX2-only Intel) is measured at its first compile.
        assertThat(before.out()).contains(CpuKind.hasTable() ? "cost model figures: the shipped table for " : "cost model figures: this machine's calibration of ");

        Result r = cnnc("calibrate", "--budget", "1", "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        Path file = Calibration.cacheFile(Machine.calibrationKey());
        assertThat(file).startsWith(tmp.resolve("cache")).isRegularFile();
        assertThat(r.out()).contains("FP32 peak").contains("written to " + file);
        Calibration c = ((Calibration.Read.Usable) Calibration.read(file, Machine.calibrationKey())).calibration();
        assertThat(c.efficiencies()).as("one second reaches the first layer's strategies at least").isNotEmpty();

        Result after = cnnc("compile", net.toString(), "--explain", "--threads", "1");
        assertThat(after.code()).as(after.err()).isZero();
        assertThat(after.out()).contains("cost model figures: this machine's calibration of " + c.date());

        Files.writeString(file, "format=cnnc-calibration-1\nmachine=" + Machine.calibrationKey().replace(":", "\\:") + "\npeak_gflops_per_core=oops\n");
        Result corrupt = cnnc("compile", net.toString(), "--threads", "1");
        assertThat(corrupt.code()).as(corrupt.err()).isZero();
        assertThat(corrupt.err()).contains("ignoring the calibration " + file).contains("measuring this machine again").doesNotContain("\tat ");
        assertThat(Calibration.read(file, Machine.calibrationKey())).isInstanceOf(Calibration.Read.Usable.class);
    }
}
