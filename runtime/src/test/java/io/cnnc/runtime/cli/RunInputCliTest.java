package io.cnnc.runtime.cli;

import static io.cnnc.runtime.cli.CliTestAccess.cnnc;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess.Result;
import io.cnnc.runtime.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `cnnc run` accepts as --input: exactly the network's shape, finite values, at least one sample. */
class RunInputCliTest {

    @TempDir
    Path tmp;

    private Path model(String inputShape) throws Exception {
        Path p = tmp.resolve("m.cnn");
        Files.writeString(p, "network M { input x: " + inputShape + "\n gap }");
        return p;
    }

    private Path npy(String name, float[] data, int... shape) throws Exception {
        Path p = tmp.resolve(name);
        Npy.write(p, Tensor.of(data, shape));
        return p;
    }

    private Path zeros(String name, int... shape) throws Exception {
        return npy(name, new float[(int) Tensor.product(shape)], shape);
    }

    private static void assertCleanError(Result r) {
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: ").doesNotContain("internal error").doesNotContain("\tat ");
    }

    @Test
    void channelsLastArraysAreRefusedWithTheTransposeThatFixesThem() throws Exception {
        Path m = model("[3, 4, 5]");
        Path hwc = zeros("hwc.npy", 4, 5, 3);
        Result r = cnnc("run", m.toString(), "--input", hwc.toString());
        assertCleanError(r);
        assertThat(r.err()).contains(hwc + ": shape [4, 5, 3] does not fit input 'x' [3, 4, 5] of the network; give [3, 4, 5] or [N, 3, 4, 5]")
                .contains("channels-last (H, W, C): transpose it, e.g. numpy x.transpose(2, 0, 1)");
        Path nhwc = zeros("nhwc.npy", 2, 4, 5, 3);
        r = cnnc("run", m.toString(), "--input", nhwc.toString());
        assertCleanError(r);
        assertThat(r.err()).contains("shape [2, 4, 5, 3] does not fit").contains("x.transpose(0, 3, 1, 2)");
    }

    @Test
    void anArrayWithTheRightElementCountButAnotherShapeIsRefused() throws Exception {
        // [3, 4, 4] for a one-channel input used to run as a batch of three.
        Path x = zeros("b.npy", 3, 4, 4);
        Result r = cnnc("run", model("[1, 4, 4]").toString(), "--input", x.toString());
        assertCleanError(r);
        assertThat(r.err()).contains(x + ": shape [3, 4, 4] does not fit input 'x' [1, 4, 4]")
                .contains("for a batch of 3 one-channel samples give [3, 1, 4, 4], e.g. numpy x[:, None]");
        Path flat = zeros("flat.npy", 48);
        r = cnnc("run", model("[3, 4, 4]").toString(), "--input", flat.toString());
        assertCleanError(r);
        assertThat(r.err()).contains("shape [48] does not fit input 'x' [3, 4, 4]");
    }

    @Test
    void exactShapesAreAccepted() throws Exception {
        Path m = model("[3, 4, 5]");
        assertThat(cnnc("run", m.toString(), "--input", zeros("one.npy", 3, 4, 5).toString()).out()).contains("output [1, 3, 1, 1]");
        assertThat(cnnc("run", m.toString(), "--input", zeros("two.npy", 2, 3, 4, 5).toString()).out()).contains("output [2, 3, 1, 1]");
        Path v = model("[6]");
        assertThat(cnnc("run", v.toString(), "--input", zeros("f.npy", 6).toString()).out()).contains("output [1, 6, 1, 1]");
        assertThat(cnnc("run", v.toString(), "--input", zeros("nf.npy", 4, 6).toString()).out()).contains("output [4, 6, 1, 1]");
    }

    @Test
    void anEmptyBatchIsAClearError() throws Exception {
        Path x = zeros("empty.npy", 0, 1, 4, 4);
        Result r = cnnc("run", model("[1, 4, 4]").toString(), "--input", x.toString());
        assertCleanError(r);
        assertThat(r.err()).contains(x + ": shape [0, 1, 4, 4] is an empty batch (0 samples); give at least one sample");
    }

    @Test
    void nanOrInfinityInAnInputIsRefusedNamingTheFirstOne() throws Exception {
        float[] data = new float[2 * 1 * 4 * 4];
        data[1 * 16 + 2 * 4 + 3] = Float.NaN;
        data[1 * 16 + 3 * 4] = Float.POSITIVE_INFINITY;
        Path x = npy("nan.npy", data, 2, 1, 4, 4);
        Result r = cnnc("run", model("[1, 4, 4]").toString(), "--input", x.toString());
        assertCleanError(r);
        assertThat(r.err()).contains(x + ": NaN at index [1, 0, 2, 3] (shape [2, 1, 4, 4]); inputs must be finite numbers");
        data[1 * 16 + 2 * 4 + 3] = 0;
        r = cnnc("run", model("[1, 4, 4]").toString(), "--input", npy("inf.npy", data, 2, 1, 4, 4).toString());
        assertCleanError(r);
        assertThat(r.err()).contains("Infinity at index [1, 0, 3, 0]");
    }

    @Test
    void imagesNormalisedPastFloatRangeAndNonFiniteMeansAreRefused() throws Exception {
        Path png = tmp.resolve("white.png");
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) image.getRaster().setSample(x, y, 0, 255);
        ImageIO.write(image, "png", png.toFile());
        Path m = model("[1, 4, 4]");
        Result r = cnnc("run", m.toString(), "--input", png.toString(), "--std", "1e-45");
        assertCleanError(r);
        assertThat(r.err()).contains(png + ": Infinity at index [0, 0, 0, 0] (shape [1, 1, 4, 4]); inputs must be finite numbers");
        r = cnnc("run", m.toString(), "--input", png.toString(), "--mean", "NaN");
        assertCleanError(r);
        assertThat(r.err()).contains("--mean values must be finite, not NaN");
        r = cnnc("run", m.toString(), "--input", png.toString(), "--std", "0");
        assertCleanError(r);
        assertThat(r.err()).contains("--std values must be finite and non-zero, not 0.0");
    }
}
