package io.cnnc.runtime.cli;

import static io.cnnc.runtime.cli.CliTestAccess.cnnc;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.codegen.JavaSourceCompiler;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess.Result;
import io.cnnc.runtime.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cnnc compile} and the compiled engine of {@code cnnc run}, as a user meets them. */
class CompileCliTest {

    @TempDir
    Path tmp;

    private static final String NET = """
            network Net { input x: [3, 12, 12]
              y = conv(8, 3, pad=1, bias=false) -> bn -> relu
              y + (y -> conv(8, 3, pad=1, bias=false) -> bn) -> relu -> gap -> flatten -> dense(4)
            }""";

    @Test
    void explainNamesStrategyTilingAndTimesPerConv() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        Result r = cnnc("compile", f.toString(), "--explain", "--threads", "1", "--tuning-cache", tmp.resolve("t.properties").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Net: compiled in").contains("fold-batchnorm").contains("conv+bn+relu").contains("conv+bn+add+relu")
                .contains("expected").contains("measured").contains("memory: ");
        assertThat(r.out().lines().filter(l -> l.startsWith("conv") || l.startsWith("conv1")).count()).isEqualTo(2);
    }

    @Test
    void printIrShowsTheFusedGraph() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        Result r = cnnc("compile", f.toString(), "--print-ir", "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("network Net\n  input %x : [3, 12, 12]\n  param conv1.weight : [8, 3, 3, 3]\n")
                .contains("%conv1 = conv+bn+relu(conv=conv1, out=8, kernel=3x3, stride=1x1, pad=1,1,1,1, dilation=1x1, groups=1, bias=false, bn=bn1,")
                .contains("%conv2 = conv+bn+add+relu(conv=conv2, ").contains(" (%conv1, %conv1) : [8, 12, 12]") // then " nchw8c" where 8-channel blocks pay
                .contains("%dense1 = dense(units=4, bias=true) (%flatten1) : [4, 1, 1]\n  return %dense1\n");
    }

    /**
     * The training plan: both ReLUs fold into the ops before them; the first conv computes no input
     * gradient; both convs have stride 1, so their data gradients are convolutions; bn1's output
     * is recomputed, bn2's (read by no gradient rule) dropped.
     */
    @Test
    void trainPrintsThePlanAndEachConvsStrategies() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        Result r = cnnc("compile", f.toString(), "--train", "--threads", "1", "--batch", "128");
        assertThat(r.code()).as(r.err()).isZero();
        // Kept: conv1's, conv2's and add1's outputs (1152 floats an image each), flatten1's (8, dense1's input) and the
        // logits (4), of five such outputs and gap1's; the peak is add1's backward: those kept, its output gradient and two input gradients.
        assertThat(r.out()).contains("recompute bn1 for the backward\ndrop bn2 after the forward\ndrop gap1 after the forward\n"
                + "memory: keep 1.7 MiB of 2.8 MiB activations, peak 3.4 MiB with gradients (batch 128;");
        assertThat(r.out()).startsWith("training Net: 10 nodes forward, 10 backward, 8 tensors updated\nfold relu1 (relu) into bn1\nfold relu2 (relu) into add1\n")
                .contains("backward conv1 (conv) params\n").contains("backward conv2 (conv) d[")
                .containsPattern("conv conv1: forward [a-z0-9-]+ \\([0-9.]+ ms\\), weight gradient [a-z-]+\n")
                .containsPattern("conv conv2: forward [a-z0-9-]+ \\([0-9.]+ ms\\), data gradient [a-z0-9-]+ \\([0-9.]+ ms\\), weight gradient [a-z-]+\n");
        assertThat(cnnc("compile", f.toString(), "--train", "--target", "opencl").err()).contains("--train prints the CPU training plan");
        // --explain: every direction of every conv on a line of its own, with the cost model's reason and runners-up.
        Result explained = cnnc("compile", f.toString(), "--train", "--explain", "--threads", "1");
        assertThat(explained.code()).as(explained.err()).isZero();
        assertThat(explained.out()).contains("conv conv1: 3->8 channels, 3x3 kernel, stride 1x1, 12x12 input\n  forward: ")
                .contains("  data gradient: none (no layer before this one learns)\n")
                .containsPattern("conv conv2: 8->8 channels, 3x3 kernel, stride 1x1, 12x12 input\n  forward: [a-z0-9-]+, [0-9.]+ ms a sample by the "
                        + "cost model \\(.+\\); next: [a-z0-9-]+ [0-9.]+.*\n  data gradient, dy convolved with the flipped, transposed filter "
                        + "\\(8->8 channels, 3x3 kernel, stride 1x1, 12x12 input\\): [a-z0-9-]+, .*\n  weight gradient: (lane-partial|channels-last) \\(");
        // --freeze as cnnc train takes it: conv1 and bn1 keep their weights, so neither gets a gradient.
        Result frozen = cnnc("compile", f.toString(), "--train", "--freeze", "bn1", "--threads", "1");
        assertThat(frozen.code()).as(frozen.err()).isZero();
        assertThat(frozen.out()).doesNotContain("backward conv1 ").doesNotContain("backward bn1 ").contains("backward conv2 (conv)")
                .containsPattern("update sgd\\([^)]*\\): conv2.weight ");
        assertThat(cnnc("compile", f.toString(), "--train", "--freeze", "nope").err()).contains("--freeze: no layer named 'nope' in Net");
        // --emit-java: the training step cnnc train generates for this batch, its optimizer's update included.
        Path source = tmp.resolve("NetTraining128.java");
        Result emitted = cnnc("compile", f.toString(), "--train", "--batch", "128", "--threads", "1", "--emit-java", source.toString());
        assertThat(emitted.code()).as(emitted.err()).isZero();
        assertThat(Files.readString(source)).contains("public final class NetTraining128 implements TrainingNetwork")
                .contains("private static final int BATCH = 128;").containsPattern("this.conv0 = new TrainingConv\\(new TrainingConv.Run\\(\"[a-z0-9-]+\", 1\\)")
                .contains("private void backward0()").contains("OptimizerUpdates.sgd(p_conv1_weight, d_conv1_weight, null, false, 0, 0.0, false, lr);");
        // With -o, a trainer jar (TrainerJarTest runs one): the source, the weights and the classes Trainer.load() needs.
        Path jar = tmp.resolve("trainer.jar");
        Result packaged = cnnc("compile", f.toString(), "--train", "-o", jar.toString());
        assertThat(packaged.code()).as(packaged.err()).isZero();
        assertThat(packaged.out()).contains("trainer.jar: trainer for Net written");
        try (var j = new java.util.jar.JarFile(jar.toFile())) {
            assertThat(j.getEntry("cnnc/network.cnn")).isNotNull();
            assertThat(j.getEntry("cnnc/weights.safetensors")).isNotNull();
            assertThat(j.getEntry("io/cnnc/runtime/embed/Trainer.class")).isNotNull();
            assertThat(j.getEntry("org/antlr/v4/runtime/Lexer.class")).isNotNull();
        }
    }

    @Test
    void printIrForAGpuTargetShowsThePassesOutput() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        Result r = cnnc("compile", f.toString(), "--target", "opencl", "--print-ir");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("planned for").contains("%conv2 = conv+bn+add+relu(").doesNotContain("reorder");
    }

    @Test
    void jarHoldsGeneratedClassWeightsAndLibrary() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        Path jar = Files.createDirectories(tmp.resolve("out")).resolve("net.jar");
        Result r = cnnc("compile", f.toString(), "-o", jar.toString());
        assertThat(r.code()).as(r.err()).isZero();
        try (JarFile j = new JarFile(jar.toFile())) {
            assertThat(j.getEntry("cnnc/generated/NetModel.class")).isNotNull();
            assertThat(j.getEntry("cnnc/weights.safetensors")).isNotNull();
            assertThat(j.getEntry("cnnc/model.properties")).isNotNull();
            assertThat(j.getEntry("io/cnnc/runtime/embed/Model.class")).isNotNull();
            assertThat(j.getEntry("io/cnnc/kernels/cpu/conv/ConvStrategies.class")).isNotNull();
        }
    }

    @Test
    void compiledAndReferenceEnginesAgree() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        float[] x = new float[3 * 12 * 12];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
        Path in = tmp.resolve("x.npy");
        Npy.write(in, Tensor.of(x, 3, 12, 12));
        Result a = cnnc("run", f.toString(), "--input", in.toString(), "--output", tmp.resolve("a.npy").toString());
        Result b = cnnc("run", f.toString(), "--input", in.toString(), "--engine", "reference", "--output", tmp.resolve("b.npy").toString());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        float[] ya = Npy.read(tmp.resolve("a.npy")).data();
        float[] yb = Npy.read(tmp.resolve("b.npy")).data();
        for (int i = 0; i < ya.length; i++) assertThat((double) Math.abs(ya[i] - yb[i])).isLessThan(1e-4);
    }

    @Test
    void badOptionsAreOneLineErrors() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        Result tornado = cnnc("compile", f.toString(), "--target", "tornado");
        assertThat(tornado.code()).isEqualTo(1);
        assertThat(tornado.err()).contains("--emit-java").doesNotContain("\tat ");
        Result batch = cnnc("compile", f.toString(), "--batch", "0");
        assertThat(batch.code()).isEqualTo(1);
        assertThat(batch.err()).contains("--batch").doesNotContain("\tat ");
    }

    @Test
    void tornadoTargetWritesSource() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        Path java = tmp.resolve("NetModel.java");
        Result r = cnnc("compile", f.toString(), "--target", "tornado", "--emit-java", java.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(java)).contains("TaskGraph").contains("class NetModel");
    }

    @Test
    void tornadoTargetSkipsTheCpuCompileAndJavac() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        long cpuCompiles = CompiledModel.cpuCompiles();
        long javac = JavaSourceCompiler.compilations();
        Result r = cnnc("compile", f.toString(), "--target", "tornado", "--emit-java", tmp.resolve("NetModel.java").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(CompiledModel.cpuCompiles()).isEqualTo(cpuCompiles);
        assertThat(JavaSourceCompiler.compilations()).isEqualTo(javac);
    }
}
