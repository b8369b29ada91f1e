package io.cnnc.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.target.gpu.GpuConvChooser;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole networks on OpenCL against the reference executor: the examples (the ImageNet ones at a
 * reduced input size, which their global or adaptive pooling heads allow, so the double-precision
 * reference stays quick) and two small networks written here that are not among the examples.
 * Tolerance 1e-4 of the output's largest magnitude: float sums on the device, double in the
 * reference, compounded over up to a hundred layers (the measured errors are printed).
 */
class OpenClModelsTest {

    static Stream<Arguments> examples() {
        return Stream.of(Arguments.of("lenet5.cnn", null), Arguments.of("resnet20_cifar.cnn", null),
                Arguments.of("mobilenet_v2.cnn", "[3, 64, 64]"), Arguments.of("efficientnet_b0.cnn", "[3, 64, 64]"),
                Arguments.of("googlenet.cnn", "[3, 64, 64]"), Arguments.of("convnext_tiny.cnn", "[3, 32, 32]"),
                Arguments.of("densenet121.cnn", "[3, 32, 32]"), Arguments.of("resnet50.cnn", "[3, 32, 32]"),
                Arguments.of("alexnet.cnn", "[3, 67, 67]"));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("examples")
    void exampleMatchesTheReference(String file, String input) throws IOException {
        String source = Files.readString(examplesDir().resolve(file));
        if (input != null) source = source.replaceFirst("input image: \\[3, 224, 224\\]", "input image: " + input);
        check(file, GpuRun.parse(source), 1);
    }

    /** Not an example: strides, dilation, asymmetric kernels' padding, concat of fused branches, SE gate, softmax head. */
    private static final String INCEPTION_SE = """
            network InceptionSE { input x: [3, 30, 27]
              s = conv(24, 3, stride=2, pad=1) -> bn -> relu
              a = s -> conv(16, 1) -> bn -> relu
              b = s -> conv(8, 1) -> relu -> conv(16, 3, pad=2, dilation=2) -> bn -> relu
              c = s -> maxpool(3, stride=1, pad=1) -> conv(8, 1) -> hardswish
              m = concat(a, b, c)
              g = m -> gap -> conv(10, 1) -> relu -> conv(40, 1) -> hardsigmoid
              t = m * g
              u = t -> dwconv(5, stride=2, pad=2) -> bn -> silu -> conv(40, 1, bias=false) -> bn
              v = t -> avgpool(2, ceil=true)
              u + v -> relu -> conv(32, 3, pad=1) -> leakyrelu(alpha=0.05) -> adaptiveavgpool(2) -> dense(11) -> softmax
            }""";

    /** Not an example: a batch of 3 through a ConvNeXt-like block with layernorm, GELU, layer scale and shift. */
    private static final String NEXT_BLOCK = """
            network NextBlock { input x: [16, 15, 15]
              h = x -> dwconv(7, pad=3) -> layernorm -> conv(64, 1) -> gelu -> conv(16, 1) -> scale(init=0.5)
              y = h + x -> shift(init=0.1)
              y -> conv(32, 2, stride=2) -> tanh -> globalmaxpool -> flatten -> dense(7)
            }""";

    @Test
    void inceptionWithSqueezeExcitationMatches() {
        check("InceptionSE", GpuRun.parse(INCEPTION_SE), 2);
    }

    @Test
    void convNextStyleBlockAtBatch3Matches() {
        check("NextBlock", GpuRun.parse(NEXT_BLOCK), 3);
    }

    @Test
    void everyStrategyForcedOnResNet20GivesTheSameOutput() throws IOException {
        Graph g = GpuRun.parse(Files.readString(examplesDir().resolve("resnet20_cifar.cnn")));
        for (GpuConvStrategy s : new GpuConvStrategy[] {GpuConvStrategy.DIRECT, GpuConvStrategy.GEMM}) {
            GpuRun run = GpuRun.of(OpenClTestDevice.get(), g, 2, 3, geometry -> new GpuConvChooser.Choice(s, "forced"));
            report("ResNet20 all " + s.label(), run);
            assertThat(run.relativeError()).as("ResNet20 with every conv as %s", s.label()).isLessThanOrEqualTo(1e-4);
        }
    }

    private static void check(String name, Graph graph, int batch) {
        long t = System.nanoTime();
        GpuRun run = GpuRun.of(OpenClTestDevice.get(), graph, batch, 11);
        report(name + String.format(Locale.ROOT, " (%.1f s with the reference)", (System.nanoTime() - t) / 1e9), run);
        assertThat(run.relativeError()).as("%s: max |opencl - reference| / max |reference|", name).isLessThanOrEqualTo(1e-4);
    }

    private static void report(String name, GpuRun run) {
        System.err.printf(Locale.ROOT, "OpenCL %s: error %.2e of the output's magnitude%n", name, run.relativeError());
    }

    static Path examplesDir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("examples/ not found above " + Path.of("").toAbsolutePath());
        return p.resolve("examples");
    }
}
