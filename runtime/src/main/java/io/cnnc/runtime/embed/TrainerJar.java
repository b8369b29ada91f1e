package io.cnnc.runtime.embed;

import com.google.gson.Gson;
import com.squareup.javapoet.JavaFile;
import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.train.GeneratedTrainer;
import io.cnnc.runtime.train.TrainingOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Packages a trainer ({@link Trainer}) as a self-contained jar: the network's source file, its
 * weights (learned ones and running statistics, unfolded), a descriptor, the generated training
 * step compiled for the packaged batch sizes (so that a Java runtime without a compiler trains
 * at them), and the cnnc classes and libraries training runs on (the language front end
 * included: the trainer reads its recipe and frozen layers from the source when it loads).
 */
public final class TrainerJar {

    /** Library classes by package prefix, each located through one class in it. */
    private static final Map<String, Class<?>> LIBRARY = new LinkedHashMap<>();

    static {
        LIBRARY.put("io/cnnc/dsl/", SourceFile.class);
        LIBRARY.put("io/cnnc/compiler/", Compiler.class);
        LIBRARY.put("io/cnnc/kernels/", CompiledNetwork.class);
        LIBRARY.put("io/cnnc/runtime/", Trainer.class);
        LIBRARY.put("org/antlr/v4/runtime/", org.antlr.v4.runtime.Lexer.class);
        LIBRARY.put("com/squareup/javapoet/", JavaFile.class);
        LIBRARY.put("com/google/gson/", Gson.class);
    }

    private TrainerJar() {}

    /**
     * {@code source}: the .cnn file's text; {@code graph}: the network in it to train, with
     * {@code weights} bound to it; {@code freeze}: the layer up to which the trainer keeps the
     * network fixed, or null; {@code recipe}: the train section's; {@code batches}: the batch
     * sizes whose training step is packaged compiled, for {@code threads} cores.
     */
    public static void write(java.nio.file.Path jar, SourceFile source, Graph graph, Map<String, Tensor> weights, String freeze,
                             TrainingOptions recipe, java.util.SortedSet<Integer> batches, int threads) throws IOException {
        Set<String> frozen = freeze == null ? Set.of() : TrainingPlan.frozenUpTo(graph, freeze);
        GeneratedTrainer steps = new GeneratedTrainer(graph, weights, recipe.seed(), frozen, recipe.updateRule(), threads, name -> true);
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (int b : batches) classes.putAll(steps.classFiles(b));
        JarContents.write(jar, out -> {
            out.put(Trainer.DESCRIPTOR, descriptor(source, graph, freeze, batches));
            for (Map.Entry<String, byte[]> c : classes.entrySet()) out.put(c.getKey().replace('.', '/') + ".class", c.getValue());
            out.put(Trainer.SOURCE, source.text().getBytes(StandardCharsets.UTF_8));
            out.put(PackagedWeights.WEIGHTS, JarContents.safetensors(weights, Map.of("format", "cnnc-trainer")));
            for (Map.Entry<String, Class<?>> lib : LIBRARY.entrySet()) out.copyLibrary(lib.getKey(), lib.getValue());
        });
    }

    private static byte[] descriptor(SourceFile source, Graph graph, String freeze, java.util.SortedSet<Integer> batches) throws IOException {
        Properties p = new Properties();
        p.setProperty("file", source.name());
        p.setProperty("network", graph.name());
        p.setProperty("batches", batches.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
        if (freeze != null) p.setProperty("freeze", freeze);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        p.store(b, "cnnc trainer");
        return b.toByteArray();
    }
}
