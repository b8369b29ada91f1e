package io.cnnc.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cnnc visualize --saliency: the heat map written and named, and bad requests refused by name (SaliencyTest checks the numbers). */
class VisualizeCliTest {

    private static final Path DIR = Path.of("src/test/resources/viz");

    @TempDir
    Path tmp;

    @Test
    void saliencyWritesAHeatMapForTheClassAsked() throws Exception {
        Path png = tmp.resolve("in.png");
        BufferedImage img = new BufferedImage(10, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 10; x++) img.setRGB(x, y, (x * 25) << 16 | (y * 20) << 8 | 128);
        ImageIO.write(img, "png", png.toFile());
        Path labels = tmp.resolve("labels.txt");
        Files.writeString(labels, "zero\none\ntwo\nthree\nfour\n");
        Path out = tmp.resolve("viz");
        String cnn = DIR.resolve("saliency.cnn").toString();
        String weights = DIR.resolve("saliency.safetensors").toString();
        CliTestAccess.Result r = CliTestAccess.cnnc("visualize", cnn, "--weights", weights, "--input", png.toString(), "--saliency", "--class", "1",
                "--smoothgrad", "3", "--labels", labels.toString(), "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("saliency_class1.png (SmoothGrad (3 samples) for class 1 (one), output ");
        BufferedImage map = ImageIO.read(out.resolve("saliency_class1.png").toFile());
        assertThat(map.getHeight()).isGreaterThan(12 * 18);

        CliTestAccess.Result cam = CliTestAccess.cnnc("visualize", cnn, "--weights", weights, "--input", png.toString(), "--gradcam", "-o", out.toString());
        assertThat(cam.code()).as(cam.err()).isZero();
        assertThat(cam.out()).contains("gradcam_relu2_class");
        CliTestAccess.Result flat = CliTestAccess.cnnc("visualize", cnn, "--weights", weights, "--input", png.toString(), "--gradcam", "--layer", "gap1",
                "-o", out.toString());
        assertThat(flat.err()).contains("--layer gap1 has output [8, 1, 1]: a Grad-CAM needs rows and columns");

        CliTestAccess.Result bad = CliTestAccess.cnnc("visualize", cnn, "--weights", weights, "--input", png.toString(), "--saliency", "--class", "5",
                "-o", out.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("--class 5 is out of range: Small has 5 classes (0 to 4)").doesNotContain("\tat ");
        assertThat(CliTestAccess.cnnc("visualize", cnn, "--weights", weights, "--saliency", "-o", out.toString()).err())
                .contains("--saliency needs --input");
        Path big = tmp.resolve("big.png");
        ImageIO.write(new BufferedImage(30, 40, BufferedImage.TYPE_INT_RGB), "png", big.toFile());
        CliTestAccess.Result resized = CliTestAccess.cnnc("visualize", cnn, "--weights", weights, "--input", big.toString(), "--saliency", "-o", out.toString());
        assertThat(resized.code()).isZero();
        assertThat(resized.err()).contains("note: " + big + " is 30x40 (width x height); resized to 10x12, the size Small takes, before it is explained");
    }
}
