package io.cnnc.runtime.cli;

import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.compiler.CompiledFile;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.data.DataSets;
import io.cnnc.runtime.data.Dataset;
import io.cnnc.runtime.gpu.GpuTarget;
import io.cnnc.runtime.gpu.GpuTrainer;
import io.cnnc.runtime.io.AtomicFiles;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.train.*;
import io.cnnc.runtime.train.GeneratedTrainer;
import io.cnnc.runtime.train.TrainingEngine;
import io.cnnc.runtime.weights.WeightBinder;
import io.cnnc.runtime.weights.WeightInitializer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a network with its file's train section; flags override the section. Writes metrics.csv, "
                + "curves.png, last.safetensors (checkpoint) and best.safetensors (weights) into --out.")
final class TrainCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Mixin
    NetworkOption network;

    @Option(names = "--data", description = "mnist, fashion_mnist, cifar10, or a folder of class folders")
    String data;

    @Mixin
    DataRootOption dataRoot;

    @Option(names = "--out", description = "output folder (default: runs/<network>)")
    Path out;

    @Option(names = "--epochs") Integer epochs;
    @Option(names = "--batch") Integer batch;
    @Option(names = "--lr") Double lr;
    @Option(names = "--optimizer", description = "sgd, adam or adamw") String optimizer;
    @Option(names = "--momentum") Double momentum;
    @Option(names = "--weight-decay") Double weightDecay;
    @Option(names = "--nesterov", negatable = true) Boolean nesterov;
    @Option(names = "--schedule", description = "constant, cosine or step") String schedule;
    @Option(names = "--warmup", description = "warm-up epochs") Integer warmup;
    @Option(names = "--label-smoothing") Double labelSmoothing;
    @Option(names = "--seed") Long seed;
    @Option(names = "--no-augment", description = "ignore the section's augmentations") boolean noAugment;

    @Option(names = "--weights", description = "start from these weights instead of a fresh initialisation (transfer learning)")
    Path weights;

    @Option(names = "--freeze", paramLabel = "LAYER",
            description = "keep every layer up to and including LAYER (a name from 'cnnc info', or a block prefix) fixed")
    String freeze;

    @Option(names = "--tune", description = "time each convolution's best candidate strategies inside training steps first and keep "
            + "the fastest per direction (cached: --tuning-cache)")
    boolean tune;

    @Option(names = "--tuning-cache", paramLabel = "FILE", description = "tuning cache file (default: $CNNC_TUNING_CACHE or ~/.cache/cnnc/tuning.properties)")
    Path tuningCache;

    @Option(names = "--resume", description = "continue from <out>/last.safetensors")
    boolean resume;

    @Option(names = "--target", defaultValue = "cpu",
            description = "cpu (default), or opencl / cuda: forward, backward and the optimizer on the device ("
                    + "the last partial batch of each epoch is dropped); evaluation stays on the CPU")
    Target target;

    enum Target { cpu, opencl, cuda }

    @Option(names = "--stop-after", paramLabel = "EPOCHS",
            description = "stop after this many epochs of the planned ones; continue later with --resume")
    Integer stopAfter;

    @Option(names = "--limit", description = "use only the first N training images (quick runs)")
    Integer limit;

    @Option(names = "--no-winograd", description = "the compiled engine never chooses Winograd (its error in gradients: docs/training.md)")
    boolean noWinograd;

    @Option(names = "--engine", defaultValue = "compiled",
            description = "compiled (default): the training step generated as Java for the network and batch, each convolution on the "
                    + "strategies the training plan chose (cnnc compile --train); reference: the plan interpreted on im2col and GEMM, "
                    + "the oracle it is tested against")
    EngineName engine;

    enum EngineName { compiled, reference }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter con = spec.commandLine().getOut();
        CompiledFile compiled = Models.compile(file);
        Graph graph = Models.pick(compiled, network.network);
        TrainingOptions o = TrainingOptions.resolve(compiled.train(graph.name()).orElse(null),
                new TrainingOptions.Overrides(data, optimizer, lr, momentum, weightDecay, nesterov, schedule, warmup,
                        labelSmoothing, batch, epochs, seed, noAugment));
        if (o.data() == null) throw new UserError(file + ": no data set: give --data or a train section with 'data'");
        Path root = dataRoot.root();
        Dataset train = DataSets.load(o.data(), root, graph.inputs().getFirst().shape(), true);
        if (limit != null) train = train.head(limit);
        Dataset test = DataSets.load(o.data(), root, graph.inputs().getFirst().shape(), false);
        int classes = graph.outputs().getFirst().shape().c();
        if (classes < train.classes()) {
            throw new UserError(graph.name() + " has " + classes + " outputs but " + o.data() + " has " + train.classes() + " classes");
        }

        // Checked before anything is written: a misspelt layer must not leave an empty run folder.
        Set<String> frozen = frozenNodes(graph);
        Path dir = out != null ? out : Path.of("runs", graph.name());
        AtomicFiles.createFolder(dir);
        removeStaleTemps(dir, con);
        Map<String, Tensor> params = weights != null
                ? WeightBinder.bind(graph, Safetensors.read(weights), weights)
                : WeightInitializer.initialize(graph, o.seed());
        java.util.function.Predicate<String> wanted = name -> !noWinograd || !ConvStrategies.byName(name).approximate();
        int threads = Runtime.getRuntime().availableProcessors();
        if (tune && engine == EngineName.reference) throw new UserError("--tune chooses the compiled engine's strategies; it does not go with --engine reference");
        if (engine != EngineName.reference && target == Target.cpu) Calibrating.ensure(spec.commandLine().getErr());
        TrainingEngine trainer = tune
                ? new GeneratedTrainer(graph, params, o.seed(), frozen, o.updateRule(), threads, io.cnnc.runtime.train.TrainingTuner.tune(graph, params, frozen,
                        o.batch(), threads, wanted, io.cnnc.compiler.schedule.TuningCache.open(tuningCache != null ? tuningCache
                                : io.cnnc.compiler.schedule.TuningCache.defaultLocation()), con))
                : engine == EngineName.reference ? new GraphTrainer(graph, params, o.seed(), frozen)
                : new GeneratedTrainer(graph, params, o.seed(), frozen, o.updateRule(), threads, wanted);
        DeviceTraining device = target == Target.cpu ? null
                : DeviceTraining.open(target == Target.opencl ? GpuTarget.OPENCL : GpuTarget.CUDA, graph, params, o, frozen, con);
        Optimizer opt = o.newOptimizer();
        Map<String, float[]> arrays = new HashMap<>();
        params.forEach((k, v) -> arrays.put(k, v.data()));
        ClassifierStep step = new ClassifierStep(trainer, opt, arrays, classes, o.labelSmoothing());
        MetricsLog log = new MetricsLog(dir.resolve("metrics.csv"), dir.resolve("curves.png"));
        int startEpoch = 0;
        double best = 0;
        if (resume) {
            Path last = dir.resolve("last.safetensors");
            if (!Files.isRegularFile(last)) throw new UserError(last + ": no checkpoint to resume from");
            Checkpoints.State state = Checkpoints.restore(last, params, opt);
            // A device run continues on the device: the checkpoint's weights, optimizer state and step count go up.
            if (device != null) device.trainer().resume(params, opt.state(), opt.steps());
            startEpoch = state.epoch();
            best = state.bestAccuracy();
            log.reload(startEpoch);
            con.printf("resuming after epoch %d (best test accuracy so far %.2f%%)%n", startEpoch, 100 * best);
        }

        Batches batches = new Batches(train, o.batch(), o.cropPad(), o.flip(), o.seed() + 1);
        LearningRateSchedule lrs = new LearningRateSchedule(o.schedule(), o.lr(), o.warmup(), o.stepEvery(), o.stepGamma(),
                o.epochs(), batches.count());
        con.printf(Locale.ROOT, "training %s on %s: %d train / %d test images, %s lr=%g, %s schedule, batch %d, %d epochs -> %s%n",
                graph.name(), o.data(), train.size(), test.size(), o.optimizer(), o.lr(), o.schedule(), o.batch(), o.epochs(), dir);
        con.flush();
        float[] x = new float[o.batch() * train.sampleSize()];
        int[] labels = new int[o.batch()];
        int stop = stopAfter == null ? o.epochs() : Math.min(o.epochs(), stopAfter);
        for (int epoch = startEpoch; epoch < stop; epoch++) {
            batches.shuffle(epoch);
            trainer.startEpoch(epoch);
            if (device != null) device.trainer().startEpoch(epoch);
            long started = System.nanoTime();
            double lossSum = 0;
            int[] correct = {0};
            int seen = 0;
            double rate = o.lr();
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch + 1, o.epochs()))
                    .setInitialMax(batches.count()).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                    .continuousUpdate().setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(ProgressOutput.stream())).build()) {
                for (int b = 0; b < batches.count(); b++) {
                    int n = batches.fill(b, x, labels);
                    if (device != null) {
                        rate = lrs.at(epoch, b);
                        if (n == o.batch()) {
                            GpuTrainer.StepResult r = device.trainer().step(x, labels, rate);
                            if (!Double.isFinite(r.loss())) throw diverged("the loss is " + r.loss(), epoch, b + 1, batches.count(), dir, device);
                            lossSum += n * r.loss();
                            correct[0] += r.correct();
                            seen += n;
                        }
                        bar.step();
                        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.2f%% %.0f img/s", lossSum / Math.max(1, seen),
                                100.0 * correct[0] / Math.max(1, seen), seen / ((System.nanoTime() - started) / 1e9)));
                        continue;
                    }
                    rate = lrs.at(epoch, b);
                    double loss = step.run(x, labels, n, rate, correct);
                    // The step checked the loss before updating: a NaN gradient would spread into every weight.
                    if (!Double.isFinite(loss)) throw diverged("the loss is " + loss, epoch, b + 1, batches.count(), dir, device);
                    lossSum += n * loss;
                    seen += n;
                    double seconds = (System.nanoTime() - started) / 1e9;
                    bar.step();
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.2f%% %.0f img/s", lossSum / seen,
                            100.0 * correct[0] / seen, seen / seconds));
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (device != null) device.trainer().copyParametersTo(params);
            // The epoch's last step may have overflowed the weights although every loss was finite.
            String broken = Divergence.firstNonFinite(params);
            if (broken != null) {
                throw diverged("weight " + broken + " is NaN or infinite after the step", epoch, batches.count(), batches.count(), dir, device);
            }
            // At the training batch: the generated step's class for it is already compiled.
            Evaluation eval = Evaluation.of(trainer, test, o.batch());
            if (!Double.isFinite(eval.loss())) {
                throw diverged("the test loss after the step is " + eval.loss(), epoch, batches.count(), batches.count(), dir, device);
            }
            MetricsLog.Row row = new MetricsLog.Row(epoch + 1, rate, lossSum / seen, (double) correct[0] / seen, eval.loss(),
                    eval.accuracy(), seen / seconds, seconds);
            log.add(row);
            // A fresh run's first epoch is its best so far whatever it scored, or no best file would exist.
            boolean improved = eval.accuracy() > best || (epoch == startEpoch && !resume) || !Files.exists(dir.resolve("best.safetensors"));
            if (improved) {
                best = eval.accuracy();
                Safetensors.write(dir.resolve("best.safetensors"), params, Map.of("epoch", Integer.toString(epoch + 1),
                        "test_accuracy", Double.toString(best)));
            }
            // A device run's optimizer state lives on the device: brought down for the checkpoint.
            if (device != null) opt.restore(device.trainer().readState(), device.trainer().steps());
            Checkpoints.save(dir.resolve("last.safetensors"), params, opt, new Checkpoints.State(epoch + 1, opt.steps(), best));
            con.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%%%s | %.0f img/s, %.1f s%n",
                    epoch + 1, o.epochs(), row.trainLoss(), 100 * row.trainAccuracy(), eval.loss(), 100 * eval.accuracy(),
                    improved ? " (best)" : "", row.imagesPerSecond(), seconds);
            con.flush();
        }
        con.printf(Locale.ROOT, "best test accuracy %.2f%%: weights in %s%n", 100 * best, dir.resolve("best.safetensors"));
        if (device != null) device.close();
        return 0;
    }

    /** Names of the files a run writes into its folder. */
    static final List<String> RUN_FILES = List.of("metrics.csv", "curves.png", "last.safetensors", "best.safetensors");

    /** A run killed mid-write leaves the temporary file of that write behind; the next run in the folder removes it. */
    private static void removeStaleTemps(Path dir, PrintWriter con) throws IOException {
        int removed = 0;
        for (String f : RUN_FILES) removed += AtomicFiles.removeStaleTemps(dir.resolve(f));
        if (removed > 0) con.printf("removed %d temporary file%s left in %s by an interrupted run%n", removed, removed == 1 ? "" : "s", dir);
    }

    /**
     * Stops a diverged run before anything of its epoch is saved, so the folder keeps the last
     * good checkpoint and best weights. {@code epoch} counts from 0, {@code step} from 1.
     */
    private static UserError diverged(String what, int epoch, int step, int steps, Path dir, DeviceTraining device) {
        if (device != null) device.close();
        String kept = epoch == 0 ? "nothing was saved"
                : "the checkpoint of epoch " + epoch + " and the best weights in " + dir + " are kept unchanged";
        return new UserError(String.format(Locale.ROOT, "training diverged at epoch %d, step %d of %d: %s; stopped (%s); try a lower --lr",
                epoch + 1, step, steps, what, kept));
    }

    private Set<String> frozenNodes(Graph graph) {
        if (freeze == null) return new HashSet<>();
        try {
            return TrainingPlan.frozenUpTo(graph, freeze);
        } catch (IllegalArgumentException e) {
            throw new UserError("--freeze: " + e.getMessage());
        }
    }
}
