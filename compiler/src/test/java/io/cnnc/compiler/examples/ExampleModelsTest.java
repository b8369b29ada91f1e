package io.cnnc.compiler.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompiledFile;
import io.cnnc.compiler.Compiler;
import io.cnnc.dsl.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example compiles, and its parameter count equals the reference figure recorded in
 * src/test/resources/expected/param_counts.csv with its source (torchvision for the
 * torchvision architectures, computed by scripts/torchvision_counts.py).
 */
class ExampleModelsTest {

    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final Path COUNTS = Path.of("src/test/resources/expected/param_counts.csv");

    record Expected(String file, long params, String source) {}

    static List<Expected> expected() throws IOException {
        return Files.readAllLines(COUNTS).stream().skip(1).filter(l -> !l.isBlank()).map(l -> {
            String[] f = l.split(",", 3);
            return new Expected(f[0].strip(), Long.parseLong(f[1].strip()), f[2].strip());
        }).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expected")
    void parameterCountMatchesTheReference(Expected e) throws Exception {
        CompiledFile compiled = Compiler.compile(SourceFile.read(EXAMPLES.resolve(e.file())));
        assertThat(compiled.networks().getFirst().learnedParameterCount()).as(e.source()).isEqualTo(e.params());
    }

    @Test
    void everyExampleHasAReferenceCount() throws Exception {
        List<String> listed = expected().stream().map(Expected::file).toList();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            List<String> examples = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cnn")).sorted().toList();
            assertThat(examples).hasSizeGreaterThanOrEqualTo(11);
            assertThat(listed).containsAll(examples);
        }
    }
}
