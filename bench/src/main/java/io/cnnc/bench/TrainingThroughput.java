package io.cnnc.bench;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.analysis.ModelSummary;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.schedule.CpuKind;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.train.GeneratedTrainer;
import io.cnnc.runtime.train.GraphTrainer;
import io.cnnc.runtime.train.Sgd;
import io.cnnc.runtime.train.TrainingEngine;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * cnnc's training throughput (images/s) on synthetic data with the recipe of
 * bench/scripts/pytorch_training_throughput.py: SGD with momentum, cross-entropy, the same
 * batch sizes, after WARMUP_SECONDS of warm-up. Usage: TrainingThroughput FILE BATCH STEPS
 * [compiled|reference] (default compiled, on every core).
 */
public final class TrainingThroughput {

    private static final double WARMUP_SECONDS = 10;

    private TrainingThroughput() {}

    public static void main(String[] args) throws Exception {
        Graph graph = Compiler.compile(SourceFile.read(Path.of(args[0]))).networks().getFirst();
        int batch = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 0);
        // compiled (default): the generated step (cnnc train); tuned: it on the training tuner's choices (cnnc train --tune), from
        // the tuning cache or measured first; interpreted: the same choices run by GraphTrainer; reference: im2col and GEMM.
        String engine = args.length > 3 ? args[3] : "compiled";
        int threads = Runtime.getRuntime().availableProcessors();
        Sgd sgd = new Sgd(0.9, 5e-4, false);
        TrainingEngine trainer = switch (engine) {
            case "compiled" -> new GeneratedTrainer(graph, params, 0, Set.of(), sgd.rule(), threads, name -> true);
            case "tuned" -> new GeneratedTrainer(graph, params, 0, Set.of(), sgd.rule(), threads, io.cnnc.runtime.train.TrainingTuner.tune(graph, params,
                    Set.of(), batch, threads, name -> true, io.cnnc.compiler.schedule.TuningCache.open(
                            io.cnnc.compiler.schedule.TuningCache.defaultLocation()), new java.io.PrintWriter(System.out, true)));
            case "interpreted" -> new GraphTrainer(graph, params, 0, Set.of(), GraphTrainer.Engine.COMPILED, threads);
            case "reference" -> new GraphTrainer(graph, params, 0, Set.of());
            default -> throw new IllegalArgumentException("engine: compiled, tuned, interpreted or reference, not " + engine);
        };
        Map<String, float[]> arrays = new HashMap<>();
        params.forEach((k, v) -> arrays.put(k, v.data()));
        io.cnnc.runtime.train.SyntheticBatch synthetic = io.cnnc.runtime.train.SyntheticBatch.of(graph, batch, 0);
        float[] x = synthetic.images();
        int[] labels = synthetic.labels();
        int classes = synthetic.classes();
        // Warm up for WARMUP_SECONDS (at least 3 steps): the JIT compiles the kernels while they
        // run, and LeNet-5's steps kept speeding up for its whole first epoch of `cnnc train`.
        long warmEnd = System.nanoTime() + (long) (WARMUP_SECONDS * 1e9);
        io.cnnc.runtime.train.ClassifierStep step = new io.cnnc.runtime.train.ClassifierStep(trainer, sgd, arrays, classes, 0);
        for (int s = 0; s < 3 || System.nanoTime() < warmEnd; s++) step.run(x, labels, batch, 0.01, null);
        Map<String, Long> before = trainer instanceof GraphTrainer g ? g.timeByOp() : Map.of();
        long start = System.nanoTime();
        for (int s = 0; s < steps; s++) step.run(x, labels, batch, 0.01, null);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (trainer instanceof GraphTrainer g) g.timeByOp().forEach((k, v) -> System.out.printf(java.util.Locale.ROOT, "  %-20s %8.1f ms per step%n", k,
                (v - before.getOrDefault(k, 0L)) / 1e6 / steps));
        // A training step's arithmetic per image: the forward's multiply-adds, and as many again for each of the data and weight gradients.
        double flopPerImage = 6.0 * ModelSummary.of(graph).macs();
        double peak = CpuKind.detect().peakGflopsPerCore() * threads;
        double imagesPerSecond = steps * batch / seconds;
        System.out.printf(java.util.Locale.ROOT, "%s: %.0f images/s, %.0f%% of FP32 peak (cnnc %s, %d cores, batch %d)%n", graph.name(), imagesPerSecond,
                100 * imagesPerSecond * flopPerImage / (peak * 1e9), engine, threads, batch);
        System.out.printf(java.util.Locale.ROOT, "flop per image %.0f, peak %.0f GFLOP/s%n", flopPerImage, peak);
        System.out.print(trainer.memoryPlan().print(batch).lines().filter(l -> l.startsWith("memory:")).findFirst().orElseThrow() + "\n");
    }
}
