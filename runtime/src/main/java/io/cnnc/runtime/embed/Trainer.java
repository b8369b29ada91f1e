package io.cnnc.runtime.embed;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.train.ClassifierStep;
import io.cnnc.runtime.train.Divergence;
import io.cnnc.runtime.train.GeneratedTrainer;
import io.cnnc.runtime.train.Optimizer;
import io.cnnc.runtime.train.TrainingEngine;
import io.cnnc.runtime.train.TrainingOptions;
import io.cnnc.runtime.weights.WeightBinder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A network to fine-tune inside an application: {@code Trainer.load()}, then {@code step(images,
 * labels)} per batch and {@code save(path)}. The jar written by {@code cnnc compile --train -o
 * trainer.jar} holds the network, its weights, its train section's recipe (optimizer, learning
 * rate, weight decay, label smoothing, seed), the layers {@code --freeze} keeps fixed, and the
 * cnnc classes training needs; each step runs
 * `cnnc train`'s compiled engine (the training plan's conv strategies, its memory plan). Not
 * safe to share between threads: one trainer, one caller at a time.
 */
public final class Trainer {

    static final String DESCRIPTOR = "cnnc/trainer.properties";
    static final String SOURCE = "cnnc/network.cnn";

    private final Graph graph;
    private final Map<String, Tensor> params;
    private final TrainingEngine trainer;
    /** The batch sizes whose training step the jar holds compiled. */
    private final int[] packagedBatches;
    private final Optimizer optimizer;
    private final ClassifierStep step;
    private double lr;
    private long steps;

    private Trainer(Graph graph, Map<String, Tensor> params, TrainingOptions recipe, Set<String> frozen, ClassLoader packaged, int[] packagedBatches) {
        this.graph = graph;
        this.params = params;
        this.packagedBatches = packagedBatches;
        int threads = Runtime.getRuntime().availableProcessors();
        GeneratedTrainer generated = new GeneratedTrainer(graph, params, recipe.seed(), frozen, recipe.updateRule(), threads, name -> true);
        generated.usePackaged(packaged);
        this.trainer = generated;
        this.optimizer = recipe.newOptimizer();
        Map<String, float[]> arrays = new HashMap<>();
        params.forEach((k, v) -> arrays.put(k, v.data()));
        this.step = new ClassifierStep(trainer, optimizer, arrays, graph.outputs().getFirst().shape().c(), recipe.labelSmoothing());
        this.lr = recipe.lr();
        trainer.startEpoch(0);
    }

    /** The trainer packaged on the class path (the jar of {@code cnnc compile --train -o}). */
    public static Trainer load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) loader = Trainer.class.getClassLoader();
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(DESCRIPTOR); InputStream src = loader.getResourceAsStream(SOURCE)) {
            if (in == null || src == null) throw new IllegalStateException("no cnnc trainer on the class path (" + DESCRIPTOR + " is missing)");
            p.load(in);
            String text = new String(src.readAllBytes(), StandardCharsets.UTF_8);
            var compiled = Compiler.compile(new SourceFile(p.getProperty("file"), text));
            Graph graph = compiled.networks().stream().filter(g -> g.name().equals(p.getProperty("network"))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the packaged source has no network " + p.getProperty("network")));
            TrainingOptions recipe = TrainingOptions.resolve(compiled.train(graph.name()).orElse(null),
                    TrainingOptions.Overrides.NONE);
            Map<String, Tensor> params = WeightBinder.bind(graph, PackagedWeights.read(loader), Path.of(PackagedWeights.WEIGHTS));
            String freeze = p.getProperty("freeze");
            int[] batches = java.util.Arrays.stream(p.getProperty("batches", "").split(",")).filter(b -> !b.isBlank()).mapToInt(Integer::parseInt)
                    .toArray();
            return new Trainer(graph, params, recipe, freeze == null ? Set.of() : io.cnnc.compiler.train.TrainingPlan.frozenUpTo(graph, freeze), loader,
                    batches);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the packaged trainer", e);
        } catch (io.cnnc.dsl.CompileException e) {
            throw new IllegalStateException("the packaged network does not compile: " + e.getMessage(), e);
        }
    }

    public String name() {
        return graph.name();
    }

    /** One image's shape, [C, H, W]. */
    public int[] inputShape() {
        var s = graph.inputs().getFirst().shape();
        return new int[] {s.c(), s.h(), s.w()};
    }

    /** The number of classes (the network's outputs per image). */
    public int classes() {
        return graph.outputs().getFirst().shape().c();
    }

    /**
     * One optimizer step on {@code labels.length} images ({@code images}: that many C*H*W blocks,
     * NCHW, normalised as the network expects); returns the batch's mean cross-entropy loss. A
     * loss that is NaN or infinite throws IllegalStateException and leaves the weights as they were.
     * A batch size the jar does not hold compiled is generated and compiled at its first step,
     * which needs a JDK; on a bare Java runtime it throws IllegalStateException saying so.
     */
    public double step(float[] images, int[] labels) {
        int n = labels.length;
        if (n == 0 || images.length != n * trainer.sampleSize()) {
            throw new IllegalArgumentException("step needs " + n + " x " + trainer.sampleSize() + " floats for " + n + " labels, got " + images.length);
        }
        for (int label : labels) {
            if (label < 0 || label >= classes()) throw new IllegalArgumentException("label " + label + " is not a class of " + name() + " (0.." + (classes() - 1) + ")");
        }
        double loss = step.run(images, labels, n, lr, null);
        if (!Double.isFinite(loss)) throw new IllegalStateException("the loss is " + loss + " at step " + (steps + 1) + "; the weights are unchanged");
        steps++;
        String broken = Divergence.firstNonFinite(params);
        if (broken != null) throw new IllegalStateException("weight " + broken + " is NaN or infinite after step " + steps);
        return loss;
    }

    /**
     * The logits of {@code n} images in evaluation mode (batch norm on its running statistics, no
     * dropout), in batches of the first packaged size: evaluating, each image's logits depend on
     * it alone, and a size not packaged would need a Java compiler.
     */
    public float[] predict(float[] images, int n) {
        int size = trainer.sampleSize();
        if (images.length < n * size) throw new IllegalArgumentException("predict needs " + n + " x " + size + " floats, got " + images.length);
        if (packagedBatches.length == 0) return trainer.forward(images, n, false).clone();
        int b = packagedBatches[0];
        float[] out = new float[n * classes()];
        float[] chunk = new float[b * size];
        for (int from = 0; from < n; from += b) {
            int count = Math.min(b, n - from);
            java.util.Arrays.fill(chunk, 0f);
            System.arraycopy(images, from * size, chunk, 0, count * size);
            System.arraycopy(trainer.forward(chunk, b, false), 0, out, from * classes(), count * classes());
        }
        return out;
    }

    /** The learning rate of the next steps; it starts at the recipe's. */
    public void learningRate(double lr) {
        this.lr = lr;
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /** Writes the weights (learned and running statistics) as safetensors, as `cnnc train` writes them. */
    public void save(Path path) {
        try {
            Safetensors.write(path, new LinkedHashMap<>(params), Map.of("steps", Long.toString(steps)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + path, e);
        }
    }
}
