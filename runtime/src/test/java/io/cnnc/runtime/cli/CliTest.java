package io.cnnc.runtime.cli;

import static io.cnnc.runtime.cli.CliTestAccess.cnnc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.cnnc.runtime.cli.CliTestAccess.Result;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, messages, never a stack trace. */
class CliTest {

    @TempDir
    Path tmp;

    private Path file(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void checkReportsEveryErrorWithPlaceAndCaretAndExitsOne() throws Exception {
        Path bad = file("bad.cnn", "network N {\n  input x: [3, 8, 8]\n  conv(4, 3) -> rlu\n  conv(4, 3, strid=2)\n}\n");
        Result r = cnnc("check", bad.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(bad + ":3:17: error: unknown layer or block 'rlu' (did you mean 'relu'?)")
                .contains("    conv(4, 3) -> rlu\n                  ^~~\n")
                .contains(bad + ":4:14: error: unknown argument 'strid'")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void checkAcceptsAGoodFile() throws Exception {
        Result r = cnnc("check", file("ok.cnn", "network N { input x: [1, 4, 4]\n dense(3) }").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("ok: network N, 51 parameters, output [3, 1, 1]");
    }

    @Test
    void missingAndBinaryFilesAreClearErrors() throws Exception {
        Result missing = cnnc("info", tmp.resolve("nope.cnn").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.cnn: no such file").doesNotContain("Exception");
        Path binary = tmp.resolve("b.cnn");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
        Result r = cnnc("check", binary.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("b.cnn").doesNotContain("\tat ");
    }

    @Test
    void infoJsonHasTotalsAndLayers() throws Exception {
        Path f = file("l.cnn", "network L { input x: [1, 28, 28]\n conv(6, 5, pad=2) -> relu\n maxpool(2)\n dense(10) }");
        Result r = cnnc("info", "--json", f.toString());
        assertThat(r.code()).isZero();
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        // conv 6*25+6 = 156, dense 10*6*14*14+10 = 11770; MACs 6*28*28*25 + 11760 (by hand)
        assertThat(o.get("params").getAsLong()).isEqualTo(156 + 11770);
        assertThat(o.get("macs").getAsLong()).isEqualTo(6L * 28 * 28 * 25 + 11760);
        assertThat(o.getAsJsonArray("layers")).hasSize(4);
        assertThat(o.getAsJsonArray("layers").get(0).getAsJsonObject().get("name").getAsString()).isEqualTo("conv1");
        assertThat(o.getAsJsonArray("layers").get(2).getAsJsonObject().getAsJsonArray("receptive_field").get(0).getAsInt()).isEqualTo(6);
    }

    @Test
    void infoTableHasTotals() throws Exception {
        // params: conv 4*3*9+4 + bn 4+4 = 120; buffers: bn 4+4; MACs: 4*6*6*27 = 3888 (by hand)
        Result r = cnnc("info", file("l.cnn", "network L { input x: [3, 8, 8]\n conv(4, 3) -> bn }").toString());
        assertThat(r.out()).contains("conv1 (conv)").contains("[4, 6, 6]").contains("Total params: 120")
                .contains("Buffers (not learned): 8").contains("Total MACs per sample: 3,888");
    }

    @Test
    void runRejectsWeightsThatDoNotFit() throws Exception {
        Path model = file("m.cnn", "network M { input x: [2, 3, 3]\n conv(2, 1) }");
        Path x = tmp.resolve("x.npy");
        io.cnnc.runtime.io.Npy.write(x, io.cnnc.runtime.Tensor.zeros(2, 3, 3));
        Path w = tmp.resolve("w.safetensors");
        io.cnnc.runtime.io.Safetensors.write(w, java.util.Map.of("conv1.weight", io.cnnc.runtime.Tensor.zeros(2, 3, 1, 1),
                "extra", io.cnnc.runtime.Tensor.zeros(1)), java.util.Map.of());
        Result r = cnnc("run", model.toString(), "--input", x.toString(), "--weights", w.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("tensor 'conv1.weight' has shape [2, 3, 1, 1], the model needs [2, 2, 1, 1]")
                .contains("missing tensor 'conv1.bias'").contains("unexpected tensor 'extra'");
    }

    @Test
    void runWritesNpyAndAcceptsABatch() throws Exception {
        Path model = file("m.cnn", "network M { input x: [2, 3, 3]\n gap }");
        Path x = tmp.resolve("x.npy");
        float[] data = new float[2 * 2 * 9];
        for (int i = 0; i < data.length; i++) data[i] = i;
        io.cnnc.runtime.io.Npy.write(x, io.cnnc.runtime.Tensor.of(data, 2, 2, 3, 3));
        Path y = tmp.resolve("y.npy");
        Result r = cnnc("run", model.toString(), "--input", x.toString(), "--output", y.toString());
        assertThat(r.code()).as(r.err()).isZero();
        // means of 0..8, 9..17, 18..26, 27..35
        assertThat(io.cnnc.runtime.io.Npy.read(y).data()).containsExactly(4f, 13f, 22f, 31f);
        assertThat(r.out()).contains("output [2, 2, 1, 1]");
    }

    /** info --erf prints the measured radius beside the nominal field, draws the map, and refuses a flat layer by name. */
    @Test
    void infoMeasuresTheEffectiveReceptiveField() throws Exception {
        Path model = file("e.cnn", "network E { input x: [1, 24, 24]\n conv(4, 3, pad=1) -> relu -> conv(4, 3, pad=1) -> relu -> conv(4, 3, pad=1) -> gap }");
        Path png = tmp.resolve("erf.png");
        Result r = cnnc("info", model.toString(), "--erf", "--samples", "4", "--erf-png", png.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("effective receptive field of conv3's centre unit \\(fresh weights, 4 random inputs\\): 95% of the gradient "
                + "within [0-9.]+ px of \\(12\\.[0-9], 12\\.[0-9]\\); nominal field 7x7 \\(3\\.0 px each way\\)");
        assertThat(javax.imageio.ImageIO.read(png.toFile())).isNotNull();
        assertThat(cnnc("info", model.toString(), "--erf", "--layer", "gap1").err()).contains("--layer gap1 has output [4, 1, 1]: its unit sees the whole input");
        assertThat(cnnc("info", model.toString(), "--erf", "--layer", "nope").err()).contains("no layer named 'nope' in E");
    }

    /** A network with two outputs (a segmentation model's out and aux) writes each to its own --output, in the network's order. */
    @Test
    void runWritesEveryOutputOfANetworkWithSeveral() throws Exception {
        Path model = file("m.cnn", "network M { input x: [2, 3, 3]\n a = x -> gap\n b = x -> globalmaxpool\n output b, a }");
        Path x = tmp.resolve("x.npy");
        float[] data = new float[2 * 9];
        for (int i = 0; i < data.length; i++) data[i] = i;
        io.cnnc.runtime.io.Npy.write(x, io.cnnc.runtime.Tensor.of(data, 1, 2, 3, 3));
        Path yb = tmp.resolve("b.npy");
        Path ya = tmp.resolve("a.npy");
        Result r = cnnc("run", model.toString(), "--input", x.toString(), "--output", yb.toString(), "--output", ya.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(io.cnnc.runtime.io.Npy.read(yb).data()).containsExactly(8f, 17f);
        assertThat(io.cnnc.runtime.io.Npy.read(ya).data()).containsExactly(4f, 13f);
        assertThat(r.out()).contains("output 2 (gap1) [1, 2, 1, 1]");
        Result tooMany = cnnc("run", model.toString(), "--input", x.toString(), "--output", yb.toString(), "--output", ya.toString(), "--output",
                tmp.resolve("c.npy").toString());
        assertThat(tooMany.code()).isEqualTo(1);
        assertThat(tooMany.err()).contains("M has 2 output(s), 3 given with --output").doesNotContain("\tat ");
    }

    @Test
    void importChecksBothOutputsBeforeWritingEither() throws Exception {
        Path model = file("m.cnn", "network M { input x: [2, 3, 3]\n conv(2, 1) }");
        Path onnx = tmp.resolve("m.onnx");
        assertThat(cnnc("export", model.toString(), "-o", onnx.toString()).code()).isZero();
        Path dir = Files.createDirectory(tmp.resolve("x.cnn"));
        Result r = cnnc("import", onnx.toString(), "-o", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: " + dir + ": is a directory").doesNotContain("\tat ");
        assertThat(tmp.resolve("x.safetensors")).doesNotExist();
        Files.createDirectory(tmp.resolve("y.safetensors"));
        r = cnnc("import", onnx.toString(), "-o", tmp.resolve("y.cnn").toString());
        assertThat(r.err()).contains("error: " + tmp.resolve("y.safetensors") + ": is a directory");
        assertThat(tmp.resolve("y.cnn")).doesNotExist();
    }

    @Test
    void anOutputInAMissingFolderIsAnErrorLikeCp() throws Exception {
        Path model = file("m.cnn", "network M { input x: [2, 3, 3]\n conv(2, 1) }");
        Path onnx = tmp.resolve("m.onnx");
        assertThat(cnnc("export", model.toString(), "-o", onnx.toString()).code()).isZero();
        Path x = tmp.resolve("x.npy");
        io.cnnc.runtime.io.Npy.write(x, io.cnnc.runtime.Tensor.zeros(2, 3, 3));
        Path missing = tmp.resolve("no").resolve("such");
        String[][] commands = {
                {"import", onnx.toString(), "-o", missing.resolve("n.cnn").toString()},
                {"export", model.toString(), "-o", missing.resolve("n.onnx").toString()},
                {"compile", model.toString(), "-o", missing.resolve("n.jar").toString()},
                {"compile", model.toString(), "--emit-java", missing.resolve("N.java").toString()},
                {"run", model.toString(), "--input", x.toString(), "--output", missing.resolve("y.npy").toString()}};
        for (String[] c : commands) {
            Result r = cnnc(c);
            String target = c[c.length - 1];
            assertThat(r.code()).as(String.join(" ", c)).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", c)).contains("error: " + target + ": directory " + missing + " does not exist")
                    .doesNotContain("\tat ");
        }
        assertThat(tmp.resolve("no")).doesNotExist();
    }

    @Test
    void runRejectsAnInputOfTheWrongShape() throws Exception {
        Path model = file("m.cnn", "network M { input x: [2, 3, 3]\n gap }");
        Path x = tmp.resolve("x.npy");
        io.cnnc.runtime.io.Npy.write(x, io.cnnc.runtime.Tensor.zeros(5, 5));
        Result r = cnnc("run", model.toString(), "--input", x.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("shape [5, 5] does not fit input 'x' [2, 3, 3]");
    }

    @Test
    void compareSaysMatchOrDiffer() throws Exception {
        Path a = tmp.resolve("a.npy");
        Path b = tmp.resolve("b.npy");
        io.cnnc.runtime.io.Npy.write(a, io.cnnc.runtime.Tensor.of(new float[] {1, 2}, 2));
        io.cnnc.runtime.io.Npy.write(b, io.cnnc.runtime.Tensor.of(new float[] {1, 2.5f}, 2));
        assertThat(cnnc("compare", a.toString(), a.toString()).code()).isZero();
        Result r = cnnc("compare", a.toString(), b.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("max abs diff 0.5").contains("1 values DIFFER");
    }

    /** Every command's help prints, and every text in it is a valid format (a lone % made picocli warn and print it raw). */
    @Test
    void helpEverywhere() {
        for (var e : new picocli.CommandLine(new Main()).getSubcommands().entrySet()) {
            String cmd = e.getKey();
            if (cmd.equals("help")) continue;
            Result r = cnnc(cmd, "--help");
            assertThat(r.code()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).startsWith("Usage: cnnc " + cmd);
            var spec = e.getValue().getCommandSpec();
            java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of(spec.usageMessage().description()));
            spec.options().forEach(o -> texts.addAll(java.util.List.of(o.description())));
            spec.positionalParameters().forEach(p -> texts.addAll(java.util.List.of(p.description())));
            for (String t : texts) {
                assertThatCode(() -> String.format(t)).as(cmd + ": " + t).doesNotThrowAnyException();
            }
        }
        assertThat(cnnc("--help").out()).contains("check").contains("info").contains("run");
    }
}
