package io.cnnc.compiler.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.dsl.Diagnostic;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property: whatever text it is given, the parser and checker end with a result or with
 * diagnostics that point inside the file; they never throw. Inputs are the example models
 * and spec snippets, mutated at the character and token level.
 */
class MutatedSourceFuzzTest {

    private static final List<String> SEEDS = seeds();

    private static final String[] TOKENS = {
        "->", "+", "*", "(", ")", "[", "]", "{", "}", ",", ";", "=", ":", "\n", "-", "/", "%", "\"",
        "network", "block", "input", "output", "repeat", "train", "concat", "in", "true", "false",
        "conv", "dwconv", "dense", "bn", "maxpool", "avgpool", "gap", "relu", "softmax", "flatten",
        "0", "-1", "1", "2", "3", "7", "64", "1e-5", "99999999999", "9223372036854775807", "1000000",
        "\"same\"", "\"valid\"", "stride=", "pad=", "groups=", "name=", "(2, 3)", "x", "y", "/*", "*/", "//", "é", "\0"
    };

    @Property(tries = 4000)
    void compilingNeverThrows(@ForAll("mutants") String text) {
        SourceFile source = new SourceFile("fuzz.cnn", text);
        Diagnostics diagnostics = new Diagnostics(source);
        Compiler.compile(source, diagnostics);
        int lines = Math.max(1, (int) text.lines().count() + 1);
        for (Diagnostic d : diagnostics.errors()) {
            assertThat(d.span().line()).as(d.message()).isBetween(1, lines);
            assertThat(d.span().column()).as(d.message()).isGreaterThanOrEqualTo(1);
            assertThat(d.message()).isNotBlank();
            assertThat(d.render()).startsWith("fuzz.cnn:" + d.span().line() + ":" + d.span().column() + ": error: ");
        }
        diagnostics.render();
    }

    @Provide
    Arbitrary<String> mutants() {
        return Arbitraries.integers().between(0, SEEDS.size() - 1)
                .flatMap(seed -> Arbitraries.longs().map(r -> mutate(SEEDS.get(seed), new Random(r))));
    }

    static String mutate(String text, Random random) {
        StringBuilder s = new StringBuilder(text);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = s.isEmpty() ? 0 : random.nextInt(s.length() + 1);
            switch (random.nextInt(7)) {
                case 0 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(12)));
                case 1 -> s.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 2 -> s.insert(at, " " + TOKENS[random.nextInt(TOKENS.length)] + " ");
                case 3 -> { // replace a number with another
                    int d = indexOfDigit(s, at);
                    if (d >= 0) s.replace(d, d + 1, TOKENS[40 + random.nextInt(10)]);
                }
                case 4 -> { // duplicate a line
                    List<String> lines = new ArrayList<>(s.toString().lines().toList());
                    if (!lines.isEmpty()) {
                        int l = random.nextInt(lines.size());
                        lines.add(l, lines.get(l));
                        s.setLength(0);
                        s.append(String.join("\n", lines));
                    }
                }
                case 5 -> s.setLength(Math.min(s.length(), at)); // truncate
                default -> { // swap two characters
                    if (s.length() > 2) {
                        int b = random.nextInt(s.length());
                        int a = Math.min(at, s.length() - 1);
                        char c = s.charAt(a);
                        s.setCharAt(a, s.charAt(b));
                        s.setCharAt(b, c);
                    }
                }
            }
        }
        return s.toString();
    }

    private static int indexOfDigit(StringBuilder s, int from) {
        for (int i = from; i < s.length(); i++) if (Character.isDigit(s.charAt(i))) return i;
        return -1;
    }

    private static List<String> seeds() {
        List<String> out = new ArrayList<>();
        Path examples = Path.of("..", "examples");
        if (Files.isDirectory(examples)) {
            try (Stream<Path> files = Files.list(examples)) {
                files.filter(p -> p.toString().endsWith(".cnn")).sorted().forEach(p -> {
                    try {
                        out.add(Files.readString(p));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.add("""
                block basic(c, stride=1) {
                  s = in -> conv(c, 1, stride=stride, bias=false) -> bn
                  conv(c, 3, stride=stride, pad=1, bias=false) -> bn -> relu
                  conv(c, 3, pad=1, bias=false) -> bn
                  y = in
                  output
                }
                network R {
                  input x: [3, 32, 32]
                  conv(16, 3, pad=1) -> bn -> relu
                  repeat 2 basic(16)
                  repeat 2 { basic(32, stride=2); dropout(0.1) }
                  a = gap
                  b = a -> dense(16) -> sigmoid
                  concat(a, b * a) -> flatten -> dense(10) -> softmax
                }
                train R {
                  data cifar10
                  loss crossentropy(label_smoothing=0.1)
                  optimizer sgd(lr=0.05, momentum=0.9, weight_decay=5e-4)
                  schedule cosine(warmup=1)
                  batch 64; epochs 10
                  augment randomcrop(pad=4), hflip
                }
                """);
        out.add("network LeNet5 {\n  input image: [1, 28, 28]\n  conv(6, 5, pad=2) -> relu\n  maxpool(2)\n"
                + "  conv(16, 5) -> relu\n  maxpool(2)\n  dense(120) -> relu\n  dense(84) -> relu\n  dense(10)\n}\n");
        out.add("block a(n) { repeat n { conv(n, (3, 1), pad=(1, 0), dilation=2, groups=1) } }\n"
                + "network N { input x: [4, 9, 9]\n a(4) -> layernorm(eps=1e-6) -> scale(init=1e-6) -> gelu\n"
                + " y = x + in * x\n adaptiveavgpool((2, 3)) -> leakyrelu(alpha=0.2) -> hardswish -> swish\n output y }\n");
        return out;
    }
}
