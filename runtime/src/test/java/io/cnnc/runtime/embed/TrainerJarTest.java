package io.cnnc.runtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.train.ClassifierStep;
import io.cnnc.runtime.train.GeneratedTrainer;
import io.cnnc.runtime.train.TrainingOptions;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/embedding.md's fine-tuning example, taken from the file, compiled against a trainer jar
 * alone and run in a separate JVM: its losses must be those of `cnnc train`'s engine stepping
 * through the same batches in this process, bit for bit (same weights, recipe and thread count;
 * the engine is deterministic), falling as the toy set is learned, and the weights it saves the
 * ones this process ends with.
 */
class TrainerJarTest {

    private static final String NET = """
            network Tiny { input x: [1, 6, 6]
              y = conv(4, 3, pad=1) -> bn -> relu
              y + (y -> conv(4, 3, pad=1) -> bn) -> relu -> gap -> flatten -> dense(3)
            }
            train Tiny {
              data "toy"
              optimizer sgd(lr=0.1, momentum=0.9, weight_decay=1e-4)
              batch 8
              epochs 1
            }
            """;

    @Test
    void theDocumentedExampleTrainsInItsOwnJvmAsTheEngineDoesHere(@TempDir Path dir) throws Exception {
        Path jar = packageWithTheExample(dir);
        try (var j = new java.util.jar.JarFile(jar.toFile())) {
            assertThat(j.getEntry("cnnc/generated/TinyTraining8.class")).as("the step for the recipe's batch, compiled").isNotNull();
        }
        var compiled = Compiler.compile(new SourceFile("tiny.cnn", NET));
        Graph graph = compiled.networks().getFirst();
        TrainingOptions recipe = TrainingOptions.resolve(compiled.train("Tiny").orElseThrow(), TrainingOptions.Overrides.NONE);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Without the compiler's module, as on a bare Java runtime: the packaged class must be the one that runs.
        Process p = new ProcessBuilder(javaBin, "-XX:+UseSerialGC", "--limit-modules", "java.base,java.desktop,jdk.incubator.vector",
                "--add-modules", "jdk.incubator.vector", "-cp",
                jar + java.io.File.pathSeparator + dir, "FineTune").directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        List<Double> got = new ArrayList<>();
        for (String line : out.strip().split("\\R")) got.add(Double.parseDouble(line));

        // The same steps here: the example's batches, the recipe's optimizer, the generated training step.
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 3);
        GeneratedTrainer trainer = new GeneratedTrainer(graph, params, recipe.seed(), Set.of(), recipe.updateRule(), Runtime.getRuntime().availableProcessors(),
                name -> true);
        trainer.startEpoch(0);
        Map<String, float[]> arrays = new HashMap<>();
        params.forEach((k, v) -> arrays.put(k, v.data()));
        ClassifierStep step = new ClassifierStep(trainer, recipe.newOptimizer(), arrays, 3, recipe.labelSmoothing());
        int batch = 8, size = 36;
        List<Double> want = new ArrayList<>();
        for (int s = 0; s < 30; s++) {
            float[] images = new float[batch * size];
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = (s + i) % 3;
                Arrays.fill(images, i * size, (i + 1) * size, labels[i] / 3f);
            }
            want.add(step.run(images, labels, batch, recipe.lr(), null));
        }
        assertThat(got).containsExactlyElementsOf(want);
        assertThat(got.getLast()).isLessThan(got.getFirst() / 4);
        Map<String, Tensor> saved = Safetensors.read(dir.resolve("tuned.safetensors"));
        assertThat(saved.keySet()).containsExactlyInAnyOrderElementsOf(params.keySet());
        params.forEach((k, v) -> assertThat(saved.get(k).data()).as(k).containsExactly(v.data()));
    }

    /** The trainer jar of {@link #NET} at its recipe's batch (8), in {@code dir}, with the documented example compiled against it. */
    private static Path packageWithTheExample(Path dir) throws Exception {
        SourceFile source = new SourceFile("tiny.cnn", NET);
        var compiled = Compiler.compile(source);
        Graph graph = compiled.networks().getFirst();
        Path jar = dir.resolve("trainer.jar");
        TrainingOptions recipe = TrainingOptions.resolve(compiled.train("Tiny").orElseThrow(), TrainingOptions.Overrides.NONE);
        TrainerJar.write(jar, source, graph, WeightInitializer.initialize(graph, 3), null, recipe, new java.util.TreeSet<>(List.of(8)),
                Runtime.getRuntime().availableProcessors());
        Path app = dir.resolve("FineTune.java");
        Files.writeString(app, documentedExample());
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-cp", jar.toString(), "-d", dir.toString(), app.toString())).isZero();
        return jar;
    }

    /**
     * A trainer packaged on a machine of the other vector width (its steps generated for another
     * channel block) is not run on this one's blocked kernels: on a Java runtime without the
     * compiler the example stops with an error naming this CPU's block, where the packaged step
     * would have computed on tensors blocked the other way.
     */
    @Test
    void aStepPackagedForAnotherChannelBlockIsNotRun(@TempDir Path dir) throws Exception {
        Path jar = packageWithTheExample(dir);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-XX:+UseSerialGC", "-Dcnnc.cpu.vector-registers=non-native",
                "--limit-modules", "java.base,java.desktop,jdk.incubator.vector", "--add-modules", "jdk.incubator.vector", "-cp",
                jar + java.io.File.pathSeparator + dir, "FineTune").directory(dir.toFile()).start();
        p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String other = io.cnnc.kernels.cpu.layout.Nchwc.BLOCK == 16 ? "NCHW8c" : "NCHW16c";
        assertThat(p.exitValue()).as(err).isNotZero();
        assertThat(err).contains("no training step for batch 8 and " + other + " blocks (this CPU's) is packaged");
    }

    /**
     * A trainer packaged with {@code --freeze bn1} (through the class loader an application's jar
     * gives) keeps conv1 and bn1, running statistics included, as they were, and trains the rest.
     */
    @Test
    void aFrozenBackboneStaysFixed(@TempDir Path dir) throws Exception {
        SourceFile source = new SourceFile("tiny.cnn", NET);
        Graph graph = Compiler.compile(source).networks().getFirst();
        Map<String, Tensor> initial = WeightInitializer.initialize(graph, 3);
        Path jar = dir.resolve("trainer.jar");
        TrainerJar.write(jar, source, graph, initial, "bn1", TrainingOptions.resolve(Compiler.compile(source).train("Tiny").orElseThrow(),
                TrainingOptions.Overrides.NONE), new java.util.TreeSet<>(List.of(8)), 2);
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        try (var loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, before)) {
            t.setContextClassLoader(loader);
            Trainer trainer = Trainer.load();
            float[] images = new float[8 * 36];
            int[] labels = new int[8];
            for (int i = 0; i < 8; i++) {
                labels[i] = i % 3;
                Arrays.fill(images, i * 36, (i + 1) * 36, labels[i] / 3f);
            }
            for (int s = 0; s < 5; s++) trainer.step(images, labels);
            trainer.save(dir.resolve("tuned.safetensors"));
        } finally {
            t.setContextClassLoader(before);
        }
        Map<String, Tensor> tuned = Safetensors.read(dir.resolve("tuned.safetensors"));
        for (String name : List.of("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var")) {
            assertThat(tuned.get(name).data()).as(name).containsExactly(initial.get(name).data());
        }
        assertThat(tuned.get("dense1.weight").data()).isNotEqualTo(initial.get("dense1.weight").data());
        assertThat(tuned.get("bn2.running_mean").data()).isNotEqualTo(initial.get("bn2.running_mean").data());
    }

    /** The java block of docs/embedding.md's fine-tuning section. */
    private static String documentedExample() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "embedding.md"));
        String section = doc.substring(doc.indexOf("## Fine-tuning inside an application"));
        int start = section.indexOf("```java\n") + "```java\n".length();
        return section.substring(start, section.indexOf("```", start));
    }
}
