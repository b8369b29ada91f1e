package io.cnnc.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Safetensors;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cnnc train and eval end to end on a tiny image-folder data set written by the test:
 * class 0 images are dark on the left, class 1 on the right, so a small net learns them.
 */
class TrainCliTest {

    /** What a diverging step reports first: the loss, or a weight the step left NaN or infinite (batch norm's variance overflows in float). */
    private static final String WENT_NON_FINITE = "(the loss is NaN|weight [a-z0-9_.]+ is NaN or infinite after the step)";

    @TempDir
    Path tmp;

    Path data;
    Path model;

    @BeforeEach
    void writeDataAndModel() throws Exception {
        data = tmp.resolve("shapes");
        Random random = new Random(1);
        for (String split : new String[] {"train", "test"}) {
            for (int c = 0; c < 2; c++) {
                Path dir = Files.createDirectories(data.resolve(split).resolve("class" + c));
                for (int i = 0; i < (split.equals("train") ? 24 : 8); i++) {
                    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            int v = ((x < 4) == (c == 0) ? 40 : 220) + random.nextInt(30);
                            img.setRGB(x, y, v << 16 | v << 8 | v);
                        }
                    }
                    ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
                }
            }
        }
        model = tmp.resolve("tiny.cnn");
        Files.writeString(model, """
                network Tiny {
                  input x: [1, 8, 8]
                  conv(4, 3, pad=1) -> bn -> relu
                  maxpool(2)
                  dense(2)
                }
                train Tiny {
                  data "%s"
                  optimizer sgd(lr=0.1, momentum=0.9)
                  schedule cosine(warmup=1)
                  batch 8
                  epochs 4
                  augment hflip(p=0.0), randomcrop(pad=1)
                }
                """.formatted(data.toString().replace("\\", "/")));
    }

    @Test
    void trainsWritesArtifactsAndEvaluates() throws Exception {
        Path out = tmp.resolve("run");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("epoch 4/4").contains("best test accuracy");
        assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(5)
                .first().isEqualTo("epoch,lr,train_loss,train_accuracy,test_loss,test_accuracy,images_per_second,seconds");
        assertThat(ImageIO.read(out.resolve("curves.png").toFile()).getWidth()).isEqualTo(900);
        CliTestAccess.Result e = CliTestAccess.cnnc("eval", model.toString(), "--weights", out.resolve("best.safetensors").toString(),
                "--data", data.toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("accuracy 100.00%").contains("true\\pred");
        Path viz = tmp.resolve("viz");
        Path digit = data.resolve("test").resolve("class0").resolve("0.png");
        CliTestAccess.Result v = CliTestAccess.cnnc("visualize", model.toString(), "--weights", out.resolve("best.safetensors").toString(),
                "--input", digit.toString(), "--layer", "relu1", "-o", viz.toString());
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(ImageIO.read(viz.resolve("filters_conv1.png").toFile())).isNotNull();
        assertThat(ImageIO.read(viz.resolve("features_relu1.png").toFile()).getWidth()).isGreaterThan(8);
    }

    /** upsample's backward in CPU training: a net that upsamples between convs learns the task. */
    @Test
    void aNetWithUpsampleTrains() throws Exception {
        Path up = tmp.resolve("up.cnn");
        Files.writeString(up, Files.readString(model).replace("conv(4, 3, pad=1) -> bn -> relu",
                "conv(4, 3, pad=1, stride=2) -> relu -> upsample(2, mode=\"bilinear\") -> conv(4, 3, pad=1) -> relu -> upsample(2)"));
        Path out = tmp.resolve("up");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", up.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        double first = Double.parseDouble(metrics.get(1).split(",")[2]);
        double last = Double.parseDouble(metrics.getLast().split(",")[2]);
        assertThat(last).as("train loss, epoch 1 vs 4").isLessThan(first * 0.5);
        assertThat(Double.parseDouble(metrics.getLast().split(",")[5])).as("test accuracy").isGreaterThanOrEqualTo(0.9);
    }

    /** --no-winograd is accepted and keeps the compiled engine training (its choice of exact strategies: TrainingConvStrategies). */
    @Test
    void noWinogradTrainsOnExactStrategies() throws Exception {
        Path out = tmp.resolve("exact");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--epochs", "1", "--no-winograd");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("best.safetensors")).exists();
    }

    @Test
    void resumingGivesTheSameWeightsAsAnUninterruptedRun() throws Exception {
        assertResumedRunEndsAsAStraightOne("cpu");
    }

    /** A run stopped after 2 epochs and resumed (with {@code extra} arguments) ends on a straight run's weights, bit for bit. */
    private void assertResumedRunEndsAsAStraightOne(String name, String... extra) throws Exception {
        Path straight = tmp.resolve(name + "-straight");
        Path resumed = tmp.resolve(name + "-resumed");
        java.util.function.BiFunction<Path, String[], CliTestAccess.Result> train = (out, more) -> {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", model.toString(), "--out", out.toString()));
            args.addAll(java.util.List.of(extra));
            args.addAll(java.util.List.of(more));
            return CliTestAccess.cnnc(args.toArray(String[]::new));
        };
        assertThat(train.apply(straight, new String[0]).code()).isZero();
        assertThat(train.apply(resumed, new String[] {"--stop-after", "2"}).code()).isZero();
        assertThat(Safetensors.read(resumed.resolve("last.safetensors")).keySet()).anyMatch(k -> k.endsWith(".momentum"));
        CliTestAccess.Result r = train.apply(resumed, new String[] {"--resume"});
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resuming after epoch 2");
        Map<String, Tensor> a = Safetensors.read(straight.resolve("last.safetensors"));
        Map<String, Tensor> b = Safetensors.read(resumed.resolve("last.safetensors"));
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String k : a.keySet()) assertThat(b.get(k).data()).as(k).containsExactly(a.get(k).data());
    }

    @Test
    void freezingKeepsEarlyLayersFixed() throws Exception {
        Path out = tmp.resolve("frozen");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--epochs", "1", "--freeze", "bn1", "--seed", "5");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Tensor> trained = Safetensors.read(out.resolve("last.safetensors"));
        var fresh = io.cnnc.runtime.weights.WeightInitializer.initialize(
                io.cnnc.compiler.Compiler.compile(io.cnnc.dsl.SourceFile.read(model)).networks().getFirst(), 5);
        assertThat(trained.get("conv1.weight").data()).containsExactly(fresh.get("conv1.weight").data());
        assertThat(trained.get("bn1.running_mean").data()).containsExactly(fresh.get("bn1.running_mean").data());
        assertThat(trained.get("dense1.weight").data()).isNotEqualTo(fresh.get("dense1.weight").data());
    }

    @Test
    void trainingOnOpenClFollowsTheCpuRunEpochByEpoch() throws Exception {
        io.cnnc.runtime.gpu.OpenClTestDevice.get();
        Path cpu = tmp.resolve("cpu");
        Path gpu = tmp.resolve("opencl");
        assertThat(CliTestAccess.cnnc("train", model.toString(), "--out", cpu.toString()).code()).isZero();
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", gpu.toString(), "--target", "opencl");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("training on ", "epoch 4/4", "best test accuracy");
        assertSameLosses(cpu, gpu, "sgd", 1e-3);
        // Adam runs on the device from the same training plan's update rule.
        Path cpuAdam = tmp.resolve("cpu-adam");
        Path gpuAdam = tmp.resolve("opencl-adam");
        assertThat(CliTestAccess.cnnc("train", model.toString(), "--out", cpuAdam.toString(), "--optimizer", "adam").code()).isZero();
        CliTestAccess.Result adam = CliTestAccess.cnnc("train", model.toString(), "--out", gpuAdam.toString(), "--target", "opencl", "--optimizer", "adam");
        assertThat(adam.code()).as(adam.err()).isZero();
        // Adam moves a weight by about lr whatever its gradient's size, so float-rounding differences in tiny gradients
        // (the device's batch-norm sums are ordered otherwise) become whole steps: measured 1.1e-3 on a test loss of 0.51.
        assertSameLosses(cpuAdam, gpuAdam, "adam", 1e-2);
    }

    /** Same batches, augmentations and initial weights: each epoch's train and test losses agree to float rounding. */
    private static void assertSameLosses(Path cpu, Path gpu, String what, double tolerance) throws Exception {
        var a = Files.readAllLines(cpu.resolve("metrics.csv"));
        var b = Files.readAllLines(gpu.resolve("metrics.csv"));
        assertThat(b).hasSameSizeAs(a);
        for (int i = 1; i < a.size(); i++) {
            String[] x = a.get(i).split(","), y = b.get(i).split(",");
            for (int col : new int[] {2, 4}) {
                assertThat(Double.parseDouble(y[col])).as("%s epoch %d column %d", what, i, col)
                        .isCloseTo(Double.parseDouble(x[col]), org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }

    /** Every file of a folder (hidden ones too) by name, with its bytes. */
    private static Map<String, byte[]> contents(Path dir) throws Exception {
        Map<String, byte[]> out = new java.util.TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return out;
    }

    @Test
    void aDivergingRunStopsNamingEpochAndStepAndKeepsTheLastGoodFiles() throws Exception {
        Path out = tmp.resolve("run");
        assertThat(CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--stop-after", "1").code()).isZero();
        Map<String, byte[]> before = contents(out);
        assertThat(before).containsKeys("last.safetensors", "best.safetensors", "metrics.csv", "curves.png");

        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--resume", "--lr", "1e6");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).containsPattern("error: training diverged at epoch 2, step [1-6] of 6: " + WENT_NON_FINITE)
                .contains("the checkpoint of epoch 1 and the best weights in " + out + " are kept unchanged").doesNotContain("\tat ");
        assertThat(r.out()).doesNotContain("epoch 2/4:");
        Map<String, byte[]> after = contents(out);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String f : before.keySet()) assertThat(after.get(f)).as(f).isEqualTo(before.get(f));
    }

    @Test
    void aFreshRunThatDivergesSavesNothing() throws Exception {
        Path out = tmp.resolve("run");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--lr", "1e6");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).containsPattern("training diverged at epoch 1, step [1-6] of 6: " + WENT_NON_FINITE + "; stopped \\(nothing was saved\\)");
        assertThat(contents(out)).isEmpty();
    }

    @Test
    void weightsBrokenByTheEpochsLastStepAreCaughtBeforeSaving() throws Exception {
        // One batch per epoch: no later step's loss would show the damage before the epoch's files are written.
        Path overflow = tmp.resolve("overflow");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", overflow.toString(), "--limit", "8",
                "--epochs", "1", "--lr", "1e300");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("training diverged at epoch 1, step 1 of 1: weight conv1.weight is NaN or infinite after the step");
        assertThat(contents(overflow)).isEmpty();
        Path huge = tmp.resolve("huge");
        r = CliTestAccess.cnnc("train", model.toString(), "--out", huge.toString(), "--limit", "8", "--epochs", "1", "--lr", "1e30");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("training diverged at epoch 1, step 1 of 1: the test loss after the step is NaN");
        assertThat(contents(huge)).isEmpty();
    }

    @Test
    void trainingOnOpenClStopsWhenItDiverges() throws Exception {
        io.cnnc.runtime.gpu.OpenClTestDevice.get();
        Path out = tmp.resolve("opencl");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--target", "opencl", "--lr", "1e6");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).containsPattern("training diverged at epoch 1, step [1-6] of 6: ").doesNotContain("\tat ");
        assertThat(contents(out)).isEmpty();
    }

    @Test
    void theNextRunRemovesTemporaryFilesAKilledRunLeftAndNothingElse() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        for (String f : new String[] {".last.safetensors.2k3j4x.tmp", ".metrics.csv.zz9.tmp", ".best.safetensors.0.tmp",
                ".curves.png.a1.tmp", ".notes.tmp", "keep.txt", ".last.safetensors.keep"}) {
            Files.writeString(out.resolve(f), "x");
        }
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--epochs", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("removed 4 temporary files left in " + out + " by an interrupted run");
        assertThat(contents(out).keySet()).containsExactly(".last.safetensors.keep", ".notes.tmp", "best.safetensors", "curves.png",
                "keep.txt", "last.safetensors", "metrics.csv");
    }

    @Test
    void outOntoAFileSaysWhatIsWrong() throws Exception {
        Path file = Files.writeString(tmp.resolve("taken"), "mine");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", file.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: " + file + ": exists and is a file, not a folder").doesNotContain("\tat ");
        assertThat(Files.readString(file)).isEqualTo("mine");
    }

    @Test
    void theCheckpointWithItsOptimizerStateEvaluatesAndRuns() throws Exception {
        Path out = tmp.resolve("run");
        assertThat(CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--epochs", "1").code()).isZero();
        Path last = out.resolve("last.safetensors");
        assertThat(Safetensors.read(last).keySet()).anyMatch(k -> k.startsWith("optimizer."));
        CliTestAccess.Result e = CliTestAccess.cnnc("eval", model.toString(), "--weights", last.toString(), "--data", data.toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("accuracy");
        Path image = data.resolve("test").resolve("class0").resolve("0.png");
        CliTestAccess.Result run = CliTestAccess.cnnc("run", model.toString(), "--weights", last.toString(), "--input", image.toString());
        assertThat(run.code()).as(run.err()).isZero();
        CliTestAccess.Result best = CliTestAccess.cnnc("run", model.toString(), "--weights", out.resolve("best.safetensors").toString(),
                "--input", image.toString());
        assertThat(run.out()).isEqualTo(best.out());
    }

    /**
     * A network that always answers class 1, on a test split holding only class 0, scores 0% in
     * every epoch: the first epoch's weights are still the run's best (PyTorch scripts save the
     * first epoch's too), and the closing line names a file that exists.
     */
    @Test
    void aRunThatNeverScoresStillSavesItsFirstEpochAsBest() throws Exception {
        Path first = tmp.resolve("first");
        assertThat(CliTestAccess.cnnc("train", model.toString(), "--out", first.toString(), "--epochs", "1").code()).isZero();
        Map<String, Tensor> start = new java.util.LinkedHashMap<>(Safetensors.read(first.resolve("best.safetensors")));
        String dense = start.keySet().stream().filter(k -> k.endsWith(".weight") && start.get(k).shape()[0] == 2).findFirst().orElseThrow();
        String layer = dense.substring(0, dense.length() - ".weight".length());
        start.put(dense, Tensor.of(new float[start.get(dense).data().length], start.get(dense).shape()));
        start.put(layer + ".bias", Tensor.of(new float[] {-10, 10}, 2));
        Path weights = tmp.resolve("class1.safetensors");
        Safetensors.write(weights, start, Map.of());
        try (var files = Files.walk(data.resolve("test").resolve("class1"))) {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
        }

        Path out = tmp.resolve("never");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--epochs", "2",
                "--lr", "0", "--weights", weights.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("acc 0.00% (best)").contains("best test accuracy 0.00%");
        assertThat(Safetensors.read(out.resolve("best.safetensors")).get(layer + ".bias").data()).containsExactly(-10f, 10f);
    }

    /**
     * --resume on the device: the checkpoint carries the device's momentum and step count, which
     * go back up, so a run stopped after 2 epochs and resumed ends on the weights of a straight run.
     */
    @Test
    void resumingOnOpenClGivesTheSameWeightsAsAStraightRun() throws Exception {
        io.cnnc.runtime.gpu.OpenClTestDevice.get();
        assertResumedRunEndsAsAStraightOne("opencl", "--target", "opencl");
    }

    /** --tune measures the convolutions' candidates in training steps first, then trains on the fastest. */
    @Test
    void tuneMeasuresThenTrains() {
        Path out = tmp.resolve("tuned");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--epochs", "1", "--tune",
                "--tuning-cache", tmp.resolve("tuning.properties").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("tuned [0-9]+ convolutions in training steps").contains("best test accuracy");
        CliTestAccess.Result wrong = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--tune", "--engine", "reference");
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).contains("--tune chooses the compiled engine's strategies");
    }

    /** A --freeze layer the network does not have stops the run before it trains or writes anything. */
    @Test
    void freezingALayerThatDoesNotExistIsAClearError() {
        Path out = tmp.resolve("nofreeze");
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--out", out.toString(), "--epochs", "1", "--freeze", "bn9");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--freeze: no layer named 'bn9' in").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void missingDataIsAClearError() {
        CliTestAccess.Result r = CliTestAccess.cnnc("train", model.toString(), "--data", tmp.resolve("nowhere").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("nowhere").contains("no such data set").doesNotContain("\tat ");
    }
}
