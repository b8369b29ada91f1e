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

    /** Two full epochs (the recipe's cosine schedule), then the Grad-CAM check below. */
    @Test
    void aTrainedLenetsGradCamLiesOnTheStrokes(@TempDir Path out) throws Exception {
        Path data = Path.of("..", ".data");
        Assumptions.assumeTrue(Files.isDirectory(data.resolve("mnist")), "MNIST not fetched: run scripts/fetch-data.sh");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", "../examples/lenet5.cnn", "--data-root", data.toString(), "--epochs", "2",
                "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        gradCamLiesOnTheStrokes(data, out.resolve("best.safetensors"));
    }

    /**
     * The trained LeNet-5's Grad-CAM at its second conv's ReLU, for the first 40 test digits it
     * classifies right and whose map is not empty (a map can be: the class won by evidence
     * against the others): the share of its mass within one pixel of a stroke (pixels above
     * 0.25) against that neighbourhood's share of the image: measured (Zen 5) 0.51 of the mass on
     * 0.26 of the image over 35 digits after two epochs, and the same after five; the test asks
     * for 1.5 times the area's share. After one short epoch (12,800 images, 93.8%) the map is
     * still spread evenly (0.27 on 0.27): it takes training to concentrate.
     */
    private static void gradCamLiesOnTheStrokes(Path data, Path weights) throws Exception {
        io.cnnc.compiler.ir.Graph graph = io.cnnc.compiler.Compiler.compile(io.cnnc.dsl.SourceFile.read(Path.of("../examples/lenet5.cnn"))).networks().getFirst();
        var params = io.cnnc.runtime.weights.WeightBinder.bind(graph, io.cnnc.runtime.io.Safetensors.read(weights), weights);
        var files = io.cnnc.runtime.data.MnistFiles.in(data.resolve("mnist"));
        var images = io.cnnc.runtime.data.Idx.readImages(files.testImages());
        byte[] labels = io.cnnc.runtime.data.Idx.readLabels(files.testLabels());
        var relu2 = graph.nodes().stream().filter(n -> n.name().equals("relu2")).findFirst().orElseThrow();
        double mass = 0, area = 0;
        int explained = 0;
        for (int i = 0; i < 40; i++) {
            float[] x = new float[784];
            for (int p = 0; p < 784; p++) x[p] = (images.pixels()[i * 784 + p] & 0xff) / 255f;
            var r = io.cnnc.runtime.viz.GradCam.of(graph, params, io.cnnc.runtime.Tensor.of(x, 1, 1, 28, 28), null, relu2);
            double total = 0, on = 0;
            int near = 0;
            for (int p = 0; p < 784; p++) {
                boolean stroke = false;
                for (int dy = -1; dy <= 1 && !stroke; dy++) {
                    for (int dx = -1; dx <= 1 && !stroke; dx++) {
                        int py = p / 28 + dy, px = p % 28 + dx;
                        stroke = py >= 0 && py < 28 && px >= 0 && px < 28 && x[py * 28 + px] >= 0.25f;
                    }
                }
                total += r.upsampled()[p];
                if (stroke) {
                    on += r.upsampled()[p];
                    near++;
                }
            }
            if (r.classIndex() != labels[i] || total == 0) continue;
            mass += on / total;
            area += near / 784.0;
            explained++;
        }
        assertThat(explained).as("test digits classified right with a non-empty map, of 40").isGreaterThanOrEqualTo(20);
        assertThat(mass / explained).as("share of the Grad-CAM's mass within a pixel of a stroke, against the share of the image there (%.3f)",
                area / explained).isGreaterThan(1.5 * area / explained);
    }
}
