package io.cnnc.runtime.gpu;

import io.cnnc.compiler.train.TrainingPlan;
import io.cnnc.compiler.train.UpdateRule;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.target.gpu.GpuTrainingPlanner;
import io.cnnc.kernels.backward.SoftmaxCrossEntropy;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.train.GraphTrainer;
import io.cnnc.runtime.train.Sgd;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training on OpenCL against the CPU trainer (GraphTrainer, itself checked against finite
 * differences and PyTorch): loss, every parameter gradient and the BatchNorm running statistics
 * after one training-mode pass; parameters after SGD steps with momentum, weight decay and
 * Nesterov; and the device's own loss against a finite difference along a random direction.
 * Tolerance 1e-4 of each tensor's largest magnitude: float sums on the device against the CPU
 * trainer's own float and double mix.
 */
class OpenClTrainingTest {

    /** Gradients here are 1e-3 to 1 in size; below this they are rounding noise (see Closeness). */
    private static final double GRADIENT_FLOOR = 1e-3;

    /** 32 x 36 weights (one 64 x 64 tile) summed over 3 x 20 x 20 positions: split over two work-groups (sum_splits). */
    private static final String SPLIT = "conv whose weight-gradient sum is split";

    static Stream<Arguments> layers() {
        return Stream.of(
                net("conv stride 2, padding, bias", "[3, 11, 10]", "conv(8, 3, stride=2, pad=1)"),
                net("conv grouped, dilated, no bias", "[4, 12, 11]", "conv(6, 3, pad=2, dilation=2, groups=2, bias=false)"),
                net("conv 1x1 wide (GEMM)", "[40, 6, 5]", "conv(64, 1) -> relu"),
                net(SPLIT, "[4, 40, 40]", "conv(32, 3, pad=1, stride=2)"),
                net("depthwise with multiplier", "[5, 9, 9]", "dwconv(3, stride=2, pad=1, multiplier=2)"),
                net("batchnorm in training mode", "[6, 7, 5]", "bn -> relu6"),
                net("maxpool with overlap and padding", "[3, 9, 11]", "maxpool(3, stride=2, pad=1)"),
                net("avgpool ceil mode", "[3, 9, 7]", "avgpool(2, ceil=true)"),
                net("adaptive average pool", "[4, 10, 7]", "adaptiveavgpool(3)"),
                net("channel shuffle, its input read twice", "[6, 5, 4]",
                        "i = conv(6, 1)\n a = i -> channelshuffle(2) -> conv(6, 1)\n concat(a, i -> channelshuffle(3))"),
                net("global max pool", "[6, 7, 5]", "globalmaxpool"),
                net("transposed conv, strided, output padding", "[6, 5, 4]", "deconv(4, 3, stride=2, pad=1, output_pad=1)"),
                net("transposed conv, grouped, dilated, no bias", "[4, 6, 5]", "deconv(6, (2, 3), stride=(1, 2), pad=(1, 0, 0, 2), dilation=2, groups=2, bias=false)"),
                // Behind a conv without bias: a bias before a normalisation has gradient 0, which float sums leave at 1e-7.
                net("group norm, then instance norm without an affine map", "[8, 5, 4]", "y = x -> conv(8, 1, bias=false) -> groupnorm(2)\n y -> instancenorm"),
                net("instance norm with its affine map", "[6, 5, 4]", "y = x -> conv(6, 1, bias=false)\n y -> instancenorm(affine=true)"),
                net("upsample nearest, a factor pair", "[3, 5, 4]", "upsample((2, 3))"),
                net("upsample bilinear", "[3, 5, 6]", "upsample(3, mode=\"bilinear\")"),
                net("upsample bilinear, corners aligned, a one-pixel axis", "[3, 4, 1]", "upsample((3, 4), mode=\"bilinear\", align_corners=true)"),
                net("two overlapping slices of one value", "[6, 5, 4]", "i = conv(6, 1)\n concat(i -> slice(0, 4), i -> slice(2, 6) -> conv(3, 1))"),
                net("global average pool", "[6, 7, 5]", "gap"),
                net("every activation", "[3, 8, 9]", "sigmoid -> leakyrelu(alpha=0.2) -> tanh -> gelu -> silu -> hardswish -> hardsigmoid"),
                net("add and concat", "[4, 6, 5]", "i = conv(4, 1)\n a = i -> relu\n b = i -> conv(4, 1)\n concat(a + b, b)"),
                net("dropout", "[4, 6, 5]", "conv(4, 1) -> dropout(0.4)"),
                net("dense twice", "[30, 1, 1]", "flatten -> dense(20) -> relu"));
    }

    /**
     * The layer reads a 1x1 convolution's output, not the input: its input gradient then reaches
     * that convolution's weight gradient, so it is checked too.
     */
    private static Arguments net(String what, String shape, String body) {
        int channels = Integer.parseInt(shape.substring(1, shape.indexOf(',')));
        // A body of statements (it starts with an assignment) is taken as it is; a chain goes behind a 1x1 conv, whose
        // weight gradient then checks the chain's input gradient. (Keyword arguments have '=' too: testing for '=' alone
        // left every layer with one without that check.)
        String chain = body.strip().matches("(?s)[A-Za-z_]\\w*\\s*=.*") ? body : "conv(" + channels + ", 1) -> " + body;
        return Arguments.of(what, "network T { input x: " + shape + "\n " + chain + " -> flatten -> dense(6)\n}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerGradientsMatchTheCpuTrainer(String what, String source) {
        Graph g = GpuRun.parse(source);
        if (what.equals(SPLIT)) {
            var plan = GpuTrainingPlanner.plan(plain(g), Tensor.arrays(RandomWeights.of(g, 1)), 3, 0);
            assertThat(plan.backward()).anyMatch(l -> l.kernel().equals("sum_splits"));
        }
        compareOnePass(g, 3);
    }

    private static final String SMALL_RESNET = """
            network SmallRes { input x: [3, 16, 16]
              s = conv(16, 3, pad=1, bias=false) -> bn -> relu
              r = s -> conv(16, 3, pad=1, bias=false) -> bn -> relu -> conv(16, 3, pad=1, bias=false) -> bn
              t = r + s -> relu -> maxpool(2)
              u = concat(t -> conv(8, 3, stride=2, pad=1) -> relu, t -> avgpool(2))
              u -> dropout(0.2) -> gap -> flatten -> dense(10)
            }""";

    @Test
    void residualNetworkGradientsMatchTheCpuTrainer() {
        compareOnePass(GpuRun.parse(SMALL_RESNET), 4);
    }

    /** The training plan with plain SGD, for passes that take no step. */
    private static TrainingPlan plain(Graph g) {
        return TrainingPlan.derive(g, Set.of(), new UpdateRule.Sgd(0, 0, false));
    }

    /** Four steps of each update rule on the device against the CPU trainer's: the same training plan, the same rule (in float there). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sgd", "adam", "adamw"})
    void optimizerStepsFollowTheCpuTrainer(String optimizer) {
        UpdateRule rule = switch (optimizer) {
            case "adam" -> new UpdateRule.Adam(0.9, 0.999, 1e-8, 5e-4, false);
            // eps 1e-3: Adam moves a weight by about lr whatever its gradient's size, so where a gradient is zero on the
            // CPU and 1e-10 on the device (AdamW adds no decay to it) eps 1e-8 gave a step of lr on one side only.
            case "adamw" -> new UpdateRule.Adam(0.9, 0.999, 1e-3, 0.01, true);
            default -> new UpdateRule.Sgd(0.9, 5e-4, true);
        };
        double lr = optimizer.equals("sgd") ? 0.05 : 0.01;
        Graph g = GpuRun.parse(SMALL_RESNET);
        int batch = 4;
        float[] x = input(g, batch, 5);
        int[] labels = {3, 1, 4, 1};
        Map<String, Tensor> cpuParams = RandomWeights.of(g, 9);
        Map<String, Tensor> gpuParams = copy(cpuParams);
        GraphTrainer cpu = new GraphTrainer(g, cpuParams, 2, Set.of());
        io.cnnc.runtime.train.RuleOptimizer sgd = new io.cnnc.runtime.train.RuleOptimizer(rule);
        Map<String, float[]> raw = new LinkedHashMap<>();
        cpuParams.forEach((k, v) -> raw.put(k, v.data()));
        try (GpuTrainer gpu = new GpuTrainer(OpenClTestDevice.get(), TrainingPlan.derive(g, Set.of(), rule), gpuParams, batch, 0, 2)) {
            double firstLoss = 0, lastLoss = 0;
            for (int step = 0; step < 4; step++) {
                cpu.zeroGradients();
                float[] logits = cpu.forward(x, batch, true);
                float[] d = new float[logits.length];
                double cpuLoss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, 10, 0, d, null);
                cpu.backward(d);
                sgd.step(raw, cpu.gradients(), lr);
                GpuTrainer.StepResult r = gpu.step(x, labels, lr);
                assertThat(r.loss()).as("loss at step %d", step).isCloseTo(cpuLoss, org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, cpuLoss)));
                if (step == 0) firstLoss = r.loss();
                lastLoss = r.loss();
            }
            assertThat(lastLoss).as("four steps on one batch lower its loss").isLessThan(firstLoss);
            Map<String, float[]> after = gpu.readParameters();
            for (var e : raw.entrySet()) Closeness.assertClose("parameter " + e.getKey() + " after 4 " + optimizer + " steps", after.get(e.getKey()), e.getValue(), 1e-4);
        }
    }

    /**
     * --freeze on the device: the same frozen prefix as the CPU trainer's (up to the first batch
     * norm, which then runs on its running statistics), three SGD steps, the same parameters after,
     * the frozen ones (running statistics included) untouched on both.
     */
    @Test
    void aFrozenPrefixTrainsAsOnTheCpu() {
        Graph g = GpuRun.parse(SMALL_RESNET);
        String firstBn = g.nodes().stream().filter(n -> n.op().type().equals("bn")).findFirst().orElseThrow().name();
        trainsAsOnTheCpu(g, TrainingPlan.frozenUpTo(g, firstBn));
    }

    /**
     * Layers frozen between learning ones (the residual branch's first conv and batch norm, the
     * strided conv): they pass the gradient on through their fixed weights and folded statistics.
     */
    @Test
    void frozenLayersInsideTheLearningPartTrainAsOnTheCpu() {
        Graph g = GpuRun.parse(SMALL_RESNET);
        List<String> convs = g.nodes().stream().filter(n -> n.op().type().equals("conv")).map(n -> n.name()).toList();
        List<String> bns = g.nodes().stream().filter(n -> n.op().type().equals("bn")).map(n -> n.name()).toList();
        Set<String> frozen = Set.of(convs.get(1), bns.get(1), convs.get(3));
        assertThat(TrainingPlan.derive(g, frozen).backward()).as("frozen layers that pass a gradient on")
                .anyMatch(b -> frozen.contains(b.node().name()));
        trainsAsOnTheCpu(g, frozen);
    }

    private static void trainsAsOnTheCpu(Graph g, Set<String> frozen) {
        UpdateRule rule = new UpdateRule.Sgd(0.9, 5e-4, false);
        int batch = 4;
        float[] x = input(g, batch, 8);
        int[] labels = {2, 7, 1, 8};
        Map<String, Tensor> cpuParams = RandomWeights.of(g, 11);
        Map<String, Tensor> initial = copy(cpuParams);
        GraphTrainer cpu = new GraphTrainer(g, cpuParams, 2, frozen);
        var optimizer = new io.cnnc.runtime.train.RuleOptimizer(rule);
        Map<String, float[]> raw = new LinkedHashMap<>();
        cpuParams.forEach((k, v) -> raw.put(k, v.data()));
        try (GpuTrainer gpu = new GpuTrainer(OpenClTestDevice.get(), TrainingPlan.derive(g, frozen, rule), copy(initial), batch, 0, 2)) {
            for (int step = 0; step < 3; step++) {
                cpu.zeroGradients();
                float[] logits = cpu.forward(x, batch, true);
                float[] d = new float[logits.length];
                double cpuLoss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, 10, 0, d, null);
                cpu.backward(d);
                optimizer.step(raw, cpu.gradients(), 0.05);
                assertThat(gpu.step(x, labels, 0.05).loss()).as("loss at step %d", step)
                        .isCloseTo(cpuLoss, org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, cpuLoss)));
            }
            Map<String, float[]> after = gpu.readParameters();
            for (var e : raw.entrySet()) {
                Closeness.assertClose("parameter " + e.getKey() + " after 3 steps", after.get(e.getKey()), e.getValue(), 1e-4);
                String layer = e.getKey().substring(0, e.getKey().lastIndexOf('.'));
                if (frozen.contains(layer)) assertThat(after.get(e.getKey())).as("frozen " + e.getKey()).containsExactly(initial.get(e.getKey()).data());
            }
        }
    }

    /** Smooth everywhere (no ReLU or max kinks a finite difference could straddle). */
    private static final String SMOOTH = """
            network Smooth { input x: [3, 12, 12]
              s = conv(12, 3, pad=1, bias=false) -> bn -> silu
              r = s -> conv(12, 3, stride=1, pad=1) -> bn -> gelu
              t = concat(r + s, s -> dwconv(3, pad=1) -> tanh) -> avgpool(2)
              t -> conv(16, 3, stride=2, pad=1) -> sigmoid -> gap -> flatten -> dense(10)
            }""";

    @Test
    void deviceLossAgreesWithAFiniteDifferenceAlongARandomDirection() {
        Graph g = GpuRun.parse(SMOOTH);
        int batch = 4;
        float[] x = input(g, batch, 6);
        int[] labels = {0, 7, 2, 9};
        Map<String, Tensor> params = RandomWeights.of(g, 3);
        Map<String, float[]> direction = new LinkedHashMap<>();
        Random r = new Random(4);
        double slope = 0;
        Map<String, float[]> grads;
        try (GpuTrainer t = new GpuTrainer(OpenClTestDevice.get(), plain(g), copy(params), batch, 0, 0)) {
            t.gradients(x, labels);
            grads = t.readGradients();
        }
        for (var e : grads.entrySet()) {
            float[] d = new float[e.getValue().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) r.nextGaussian();
                slope += d[i] * e.getValue()[i];
            }
            direction.put(e.getKey(), d);
        }
        double eps = 1e-3;
        double up = loss(g, shifted(params, direction, eps), x, labels);
        double down = loss(g, shifted(params, direction, -eps), x, labels);
        double numeric = (up - down) / (2 * eps);
        System.err.printf("OpenCL training: directional derivative %.6f analytic, %.6f by central difference%n", slope, numeric);
        assertThat(numeric).isCloseTo(slope, org.assertj.core.data.Offset.offset(2e-3 * Math.abs(slope) + 1e-4));
    }

    private static double loss(Graph g, Map<String, Tensor> params, float[] x, int[] labels) {
        try (GpuTrainer t = new GpuTrainer(OpenClTestDevice.get(), plain(g), params, labels.length, 0, 0)) {
            return t.gradients(x, labels).loss();
        }
    }

    private static Map<String, Tensor> shifted(Map<String, Tensor> params, Map<String, float[]> direction, double eps) {
        Map<String, Tensor> out = copy(params);
        direction.forEach((k, d) -> {
            float[] p = out.get(k).data();
            for (int i = 0; i < p.length; i++) p[i] += (float) (eps * d[i]);
        });
        return out;
    }

    /** One training-mode pass on both trainers: logits, loss, gradients, running statistics. */
    private static void compareOnePass(Graph g, int batch) {
        float[] x = input(g, batch, 1);
        int classes = g.outputs().getFirst().shape().c();
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = (i * 7 + 3) % classes;
        Map<String, Tensor> cpuParams = RandomWeights.of(g, 2);
        Map<String, Tensor> gpuParams = copy(cpuParams);
        GraphTrainer cpu = new GraphTrainer(g, cpuParams, 5, Set.of());
        float[] logits = cpu.forward(x, batch, true);
        float[] d = new float[logits.length];
        double cpuLoss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, 0, d, null);
        cpu.backward(d);
        try (GpuTrainer gpu = new GpuTrainer(OpenClTestDevice.get(), plain(g), gpuParams, batch, 0, 5)) {
            GpuTrainer.StepResult r = gpu.gradients(x, labels);
            Closeness.assertClose("logits", gpu.logits(), logits, 1e-5);
            assertThat(r.loss()).isCloseTo(cpuLoss, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, cpuLoss)));
            Map<String, float[]> grads = gpu.readGradients();
            assertThat(grads.keySet()).containsExactlyInAnyOrderElementsOf(cpu.gradients().keySet());
            for (var e : cpu.gradients().entrySet()) {
                Closeness.assertClose("gradient of " + e.getKey(), grads.get(e.getKey()), e.getValue(), 1e-4, GRADIENT_FLOOR);
            }
            Map<String, float[]> after = gpu.readParameters();
            for (var e : cpuParams.entrySet()) {
                if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var")) {
                    Closeness.assertClose(e.getKey() + " after the pass", after.get(e.getKey()), e.getValue().data(), 1e-5);
                }
            }
        }
    }

    private static float[] input(Graph g, int batch, long seed) {
        Random r = new Random(seed);
        float[] x = new float[Math.toIntExact(g.inputs().getFirst().shape().size() * batch)];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> params) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, Tensor.of(v.data().clone(), v.shape())));
        return out;
    }
}
