package io.cnnc.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnnc.compiler.analysis.ModelSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cnnc report's HTML opened in Debian's chromium, headless (scripts/install-chromium.sh installs
 * it; without it these tests are skipped and say so): for every example network the page loads
 * with no console message (a script error would print one), and its layer tree has as many
 * layers as cnnc info lists; with a run folder, weights and an image it has both training charts
 * and its pictures, and a screenshot is taken.
 */
class ReportBrowserTest {

    private static final Pattern NODE = Pattern.compile("class=\"node\"");

    @TempDir
    Path tmp;

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("../examples"))) {
            return files.filter(p -> p.toString().endsWith(".cnn")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExamplesReportLoadsWithItsLayers(Path example) throws Exception {
        assumeTrue(chromium() != null, "no chromium on the PATH (scripts/install-chromium.sh installs it)");
        Path html = tmp.resolve("report.html");
        CliTestAccess.Result r = CliTestAccess.cnnc("report", example.toString(), "-o", html.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Browser page = open(html, null);
        assertThat(page.console()).as("console messages (script errors)").isEmpty();
        int layers = ModelSummary.of(io.cnnc.compiler.Compiler.compile(io.cnnc.dsl.SourceFile.read(example)).networks().getFirst()).rows().size();
        assertThat(count(page.dom())).as("layers in the page's tree").isEqualTo(layers);
    }

    @Test
    void aRunsCurvesAndPicturesShowAndAScreenshotIsTaken() throws Exception {
        assumeTrue(chromium() != null, "no chromium on the PATH (scripts/install-chromium.sh installs it)");
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("metrics.csv"), """
                epoch,lr,train_loss,train_accuracy,test_loss,test_accuracy,images_per_second,seconds
                1,0.05,0.63,0.78,0.13,0.957,8455.7,7.10
                2,0.04,0.08,0.975,0.07,0.978,16026.1,3.74
                """);
        Path dir = Path.of("src/test/resources/viz");
        Path png = tmp.resolve("in.png");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(10, 12, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 10; x++) img.setRGB(x, y, (x * 25) << 16 | (y * 20) << 8 | 90);
        ImageIO.write(img, "png", png.toFile());
        Path html = tmp.resolve("report.html");
        CliTestAccess.Result r = CliTestAccess.cnnc("report", dir.resolve("saliency.cnn").toString(), "--weights", dir.resolve("saliency.safetensors").toString(),
                "--run", run.toString(), "--input", png.toString(), "-o", html.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("training curves", "4 pictures");
        Path shot = tmp.resolve("shot.png");
        Browser page = open(html, shot);
        assertThat(page.console()).isEmpty();
        assertThat(page.dom()).contains("aria-label=\"loss\"", "aria-label=\"accuracy\"", "<figcaption>saliency class", "<figcaption>gradcam relu2");
        assertThat(ImageIO.read(shot.toFile()).getWidth()).isEqualTo(1200);
    }

    @Test
    void badRequestsAreRefusedByName() throws Exception {
        Path html = tmp.resolve("r.html");
        assertThat(CliTestAccess.cnnc("report", "../examples/lenet5.cnn", "--input", "x.png", "-o", html.toString()).err())
                .contains("--input needs --weights");
        assertThat(CliTestAccess.cnnc("report", "../examples/lenet5.cnn", "--run", tmp.toString(), "-o", html.toString()).err())
                .contains(tmp + " has no metrics.csv");
        assertThat(html).doesNotExist();
    }

    private record Browser(String dom, List<String> console) {}

    /** The page's DOM after load, and chromium's console lines; a screenshot into {@code shot} where given. */
    private static Browser open(Path html, Path shot) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                "--v=0", "--window-size=1200,1400"));
        command.add(shot != null ? "--screenshot=" + shot : "--dump-dom");
        command.add(html.toUri().toString());
        // stderr to a file, so a chatty browser cannot block on a full pipe while stdout is read.
        Path log = Files.createTempFile(html.getParent(), "chromium", ".log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        String err = Files.readString(log);
        String dom = shot != null ? Files.readString(html) : new String(out, StandardCharsets.UTF_8);
        List<String> console = err.lines().filter(l -> l.contains(":CONSOLE")).toList();
        return new Browser(dom, console);
    }

    private static int count(String dom) {
        Matcher m = NODE.matcher(dom);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    private static String chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path c = Path.of(dir, "chromium");
            if (Files.isExecutable(c)) return c.toString();
        }
        return null;
    }
}
