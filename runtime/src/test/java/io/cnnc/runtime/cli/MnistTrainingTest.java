package io.cnnc.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LeNet-5 really learns MNIST through the command line: one short epoch on 12,800 images
 * must already classify the 10,000 test digits at over 90% (measured: 93.8%) (a broken gradient or optimizer
 * stays near 10%). The full 5-epoch recipe reaches 99.2% (docs/training.md).
 */
class MnistTrainingTest {

    @Test
    void lenetLearnsMnist(@TempDir Path out) throws Exception {
        Path data = Path.of("..", ".data");
        Assumptions.assumeTrue(Files.isDirectory(data.resolve("mnist")), "MNIST not fetched: run scripts/fetch-data.sh");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", "../examples/lenet5.cnn", "--data-root", data.toString(), "--epochs", "1",
                "--limit", "12800", "--schedule", "constant", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        double testAccuracy = Double.parseDouble(csv.get(1).split(",")[5]);
        assertThat(testAccuracy).isGreaterThan(0.90); // measured 0.938 for this recipe
    }
}
