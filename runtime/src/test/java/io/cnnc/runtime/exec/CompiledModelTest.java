package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.passes.InferencePipeline;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import io.cnnc.compiler.ir.Layout;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.BlockedOp;
import io.cnnc.compiler.ops.InvertedResidualOp;
import io.cnnc.compiler.ops.ReorderOp;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The compiled path (passes, strategy choice, generated Java, fast kernels) against the
 * reference executor on the source graph. BatchNorm statistics are randomized so folding is
 * really exercised. Tolerance: 1e-4 relative to the output's largest magnitude. Float32
 * accumulation in the fast kernels against the reference's double sums gives ~1e-6 per layer;
 * Winograd F(4,3) adds up to ~1e-5 relative per 3x3 layer (docs/kernels.md), and a dozen
 * layers compound that, so 1e-4 leaves a margin of a few times what was measured, while a
 * wrong index or a missing epilogue step gives errors of order 1.
 */
class CompiledModelTest {

    private static final String NETS = """
            block basic(c) {
              y = conv(c, 3, pad=1, bias=false) -> bn -> relu -> conv(c, 3, pad=1, bias=false) -> bn
              y + in -> relu
            }
            block down(c) {
              y = conv(c, 3, stride=2, pad=1, bias=false) -> bn -> relu -> conv(c, 3, pad=1, bias=false) -> bn
              s = in -> conv(c, 1, stride=2, bias=false) -> bn
              y + s -> relu
            }
            network Res {
              input x: [3, 17, 19]
              conv(8, 3, pad=1) -> bn -> relu -> basic(8) -> down(16) -> maxpool(2, stride=2, pad=1)
              -> dwconv(3, pad=1) -> bn -> relu6 -> conv(24, 1) -> gap -> flatten -> dropout(0.2) -> dense(5) -> softmax
            }
            network Mixed {
              input x: [4, 12, 12]
              a = conv(6, 3, pad=1, dilation=2) -> bn -> leakyrelu(0.1)
              b = conv(6, 5, pad=2, groups=2) -> sigmoid
              s = a -> gap -> conv(6, 1) -> hardsigmoid
              concat(a * s, b) -> avgpool(3, stride=2) -> layernorm -> scale -> shift -> adaptiveavgpool(2) -> conv(3, 2) -> gelu
            }
            network Blocked {
              input x: [3, 20, 21]
              conv(16, 3, pad=1, bias=false) -> bn -> relu -> basic(16) -> down(32) -> maxpool(2) -> gap -> flatten -> dense(4)
            }
            network Seg {
              input x: [3, 9, 11]
              y = conv(16, 3, pad=1, stride=2) -> bn -> relu -> upsample(2, mode="bilinear")
              z = y -> conv(16, 3, pad=1) -> relu -> upsample((1, 2)) -> conv(4, 1)
              z -> upsample((2, 3), mode="bilinear", align_corners=true)
            }
            block bottleneck(c, e) {
              y = conv(e, 1, bias=false) -> bn -> relu6 -> dwconv(3, pad=1, bias=false) -> bn -> relu6 -> conv(c, 1, bias=false) -> bn
              y + in
            }
            block reduce(c, e) {
              conv(e, 1, bias=false) -> bn -> relu6 -> dwconv(3, stride=2, pad=1, bias=false) -> bn -> relu6 -> conv(c, 1, bias=false) -> bn
            }
            network Inverted {
              input x: [24, 30, 29]
              bottleneck(24, 144) -> reduce(32, 96) -> bottleneck(32, 192) -> conv(64, 1) -> bottleneck(64, 128) -> gap -> flatten -> dense(5)
            }
            block mb(c, e, k, s) {
              y = conv(e, 1, bias=false) -> bn -> silu -> dwconv(k, stride=s, pad=k / 2, bias=false) -> bn -> silu
              g = y -> gap -> conv(4, 1) -> silu -> conv(e, 1) -> sigmoid
              y * g -> conv(c, 1, bias=false) -> bn
            }
            network Squeeze {
              input x: [16, 19, 20]
              mb(24, 64, 5, 2) -> mb(32, 96, 3, 1) -> gap -> flatten -> dense(3)
            }
            """;

    static Stream<Arguments> networksAndStrategies() {
        return Stream.of(Arguments.of(0, Set.of()), Arguments.of(1, Set.of()), Arguments.of(2, Set.of()),
                Arguments.of(3, Set.of()), Arguments.of(3, Set.of("direct-nchwc")), Arguments.of(4, Set.of()), Arguments.of(4, Set.of("direct-nchwc")), Arguments.of(4, Set.of("inverted-residual")),
                Arguments.of(5, Set.of()), Arguments.of(5, Set.of("inverted-residual")),
                Arguments.of(0, Set.of("direct-nchwc")), Arguments.of(2, Set.of("direct-nchwc")), Arguments.of(2, Set.of("im2col-gemm")),
                // Winograd on NCHW16c for the 3x3 stride-1 layers (where 512-bit vectors are native), direct-nchwc for the rest.
                Arguments.of(2, Set.of("winograd-f43-nchwc", "direct-nchwc")), Arguments.of(0, Set.of("winograd-f23-nchwc", "direct-nchwc")));
    }

    @ParameterizedTest
    @MethodSource("networksAndStrategies")
    void compiledNetworkMatchesTheReferenceExecutor(int which, Set<String> strategies) throws Exception {
        Graph graph = Compiler.compile(new SourceFile("nets.cnn", NETS)).networks().get(which);
        Map<String, Tensor> weights = randomizedStatistics(WeightInitializer.initialize(graph, 7));
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        for (int batch : new int[] {1, 3}) {
            for (int threads : new int[] {1, 2}) {
                CompiledModel model = CompiledModel.compile(graph, raw,
                        CompileOptions.defaults().withBatch(batch).withThreads(threads).withStrategies(strategies));
                CompiledNetwork net = model.instantiate(Parallel.of(threads));
                Tensor x = random(graph, batch, 11 + batch);
                float[] got = net.forward(new float[][] {x.data()})[0];
                float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
                assertThat(got).hasSameSizeAs(want);
                double scale = 0;
                for (float v : want) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < want.length; i++) {
                    assertThat((double) Math.abs(got[i] - want[i])).as("%s %s batch %d threads %d element %d", graph.name(), strategies, batch, threads, i)
                            .isLessThanOrEqualTo(1e-4 * scale);
                }
            }
        }
    }

    /**
     * Every conv of Blocked but the 3-channel stem runs on direct-nchwc when it is asked for (the
     * stem on direct-nchwc-planar-in where that is a candidate): the residual adds, ReLUs, the max pool and the global pool stay blocked between them,
     * so exactly two reorders remain, into the blocked layout after the stem and back after the
     * global pool (of a [32, 1, 1] tensor).
     */
    @Test
    void blockedConvChainsNeedReordersOnlyAtTheirEnds() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("nets.cnn", NETS)).networks().get(2);
        Map<String, float[]> raw = new HashMap<>();
        WeightInitializer.initialize(graph, 7).forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw, CompileOptions.defaults().withStrategies(Set.of("direct-nchwc")));
        List<Node> reorders = model.optimized().nodes().stream().filter(n -> n.op() instanceof ReorderOp).toList();
        // The stem falls back to every strategy: where direct-nchwc-planar-in is a candidate (native
        // 512-bit vectors) it writes NCHW16c from the NCHW image and no reorder is needed on the way in.
        boolean stemBlocked = model.choices().entrySet().stream().anyMatch(e -> e.getKey().inputShapes().getFirst().c() == 3
                && e.getValue().strategy().equals("direct-nchwc-planar-in"));
        assertThat(reorders).extracting(n -> ((ReorderOp) n.op()).to())
                .containsExactlyElementsOf(stemBlocked ? List.of(Layout.NCHW) : List.of(Layout.NCHWC, Layout.NCHW));
        assertThat(reorders.getLast().output().shape().c()).isEqualTo(32);
        assertThat(model.choices().values()).extracting(c -> c.strategy()).filteredOn("direct-nchwc"::equals).hasSize(5);
        assertThat(model.optimized().nodes()).filteredOn(n -> n.op() instanceof BlockedOp).extracting(n -> n.op().type())
                .containsExactly("maxpool", "gap");
        assertThat(model.planar().nodes()).noneMatch(n -> n.op() instanceof ReorderOp);
    }

    /**
     * A network of thousands of layers is generated as forward and a constructor that call
     * methods of a few hundred layers each (one method would pass the JVM's 64 KB limit and
     * javac would refuse it as "code too large"), and gives the reference executor's values.
     */
    @Test
    void aNetworkOfThousandsOfLayersIsSplitIntoMethods() throws Exception {
        String src = """
                network Long {
                  input x: [2, 5, 5]
                  a = x -> conv(3, 3, pad=1)
                  repeat 300 { conv(3, 1) -> relu }
                  dense(4)
                  repeat 5000 sigmoid
                  b = relu
                  output a, b
                }
                """;
        Graph graph = Compiler.compile(new SourceFile("long.cnn", src)).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 5);
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(1));
        CompiledNetwork net = model.instantiate(Parallel.of(1));
        Tensor x = random(graph, 1, 3);
        float[][] got = net.forward(new float[][] {x.data()});
        List<Tensor> want = new ReferenceExecutor(graph, weights).run(List.of(x));
        for (int o = 0; o < 2; o++) {
            float[] w = want.get(o).data();
            assertThat(got[o]).hasSameSizeAs(w);
            for (int i = 0; i < w.length; i++) assertThat((double) got[o][i]).as("output %d element %d", o, i).isCloseTo(w[i], org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /**
     * forward(inputs, outputs) fills the caller's arrays: an output that later layers still read
     * (f feeds the dense), a flatten view of it, and an output that is the input itself; the
     * one-argument forward gives the same values in fresh arrays, and an array of the wrong
     * length is refused before anything runs.
     */
    @Test
    void forwardWritesIntoTheCallersOutputArrays() throws Exception {
        String src = """
                network Outs {
                  input x: [2, 6, 6]
                  f = x -> conv(4, 3, pad=1) -> relu
                  v = f -> flatten
                  d = f -> dense(3)
                  output d, f, v, x
                }
                """;
        Graph graph = Compiler.compile(new SourceFile("outs.cnn", src)).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 2);
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledNetwork net = CompiledModel.compile(graph, raw, CompileOptions.defaults()).instantiate(Parallel.of(1));
        Tensor x = random(graph, 1, 4);
        List<Tensor> want = new ReferenceExecutor(graph, weights).run(List.of(x));
        assertThat(net.outputLengths()).containsExactly(3, 144, 144, 72);
        float[][] outs = new float[4][];
        for (int i = 0; i < 4; i++) {
            outs[i] = new float[net.outputLengths()[i]];
            java.util.Arrays.fill(outs[i], Float.NaN);
        }
        net.forward(new float[][] {x.data()}, outs);
        float[][] fresh = net.forward(new float[][] {x.data()});
        for (int i = 0; i < 4; i++) {
            float[] w = want.get(i).data();
            for (int j = 0; j < w.length; j++) {
                assertThat((double) Math.abs(outs[i][j] - w[j])).as("output %d element %d", i, j).isLessThanOrEqualTo(1e-5);
            }
            assertThat(fresh[i]).containsExactly(outs[i]);
            assertThat(fresh[i]).isNotSameAs(outs[i]);
        }
        float[][] wrong = {new float[3], new float[144], new float[143], new float[72]};
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> net.forward(new float[][] {x.data()}, wrong)).withMessageContaining("output 2 needs 144 floats");
    }

    /**
     * A network whose every conv the cost model runs alone (convs of 4 channels at 6x6, too small
     * to share out on any CPU) runs its other ops alone too, the upsampling to 192x192 that would
     * otherwise be shared out included: its generated code never hands the team a loop, so it
     * runs on two threads as on one.
     */
    @Test
    void aNetworkOfConvsRunAloneRunsAllAlone() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("tiny.cnn", """
                network Tiny { input x: [4, 6, 6]
                  y = conv(4, 3, pad=1) -> bn -> relu
                  (y + (y -> conv(4, 3, pad=1) -> bn)) -> relu -> upsample(32) -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        Map<String, float[]> raw = new HashMap<>();
        WeightInitializer.initialize(graph, 3).forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(2));
        assertThat(model.choices().values()).allMatch(c -> c.threads() == 1);
        assertThat(model.javaSource()).doesNotContain(", parallel)").doesNotContain("(parallel)").contains(", serial)");
    }

    /**
     * On two threads the cost model runs Res's small convs alone (their one-thread estimates beat
     * the shared-out ones plus the hand-over): each such conv's kernel gets the serial pool in the
     * generated code, the others the network's, and the result is still the reference's.
     */
    @Test
    void convsTheModelRunsAloneGetTheSerialPool() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("nets.cnn", NETS)).networks().getFirst();
        Map<String, Tensor> weights = randomizedStatistics(WeightInitializer.initialize(graph, 3));
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(2));
        long alone = model.choices().values().stream().filter(c -> c.threads() == 1).count();
        assertThat(alone).isPositive();
        assertThat(model.javaSource().split("ConvStrategies\\.[A-Z0-9_]+\\.prepare\\([^;]*, serial\\);", -1).length - 1).isEqualTo(alone);
        Tensor x = random(graph, 1, 5);
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
        float[] got = model.instantiate(Parallel.of(2)).forward(new float[][] {x.data()})[0];
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("element %d", i).isLessThanOrEqualTo(1e-4 * scale);
        }
    }

    /** Ops other than convs touching at most 64K elements run on the calling thread; larger ones are shared out. */
    @Test
    void smallOpsRunOnTheCallingThread() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("wide.cnn", """
                network Wide {
                  input x: [16, 96, 96]
                  maxpool(2) -> gap -> flatten -> dense(3)
                }
                """)).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 3);
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(2));
        String source = model.javaSource();
        // maxpool: 147K elements in, 37K out; gap: 37K in, 16 out; dense: 16 x 3 weights.
        assertThat(source).as(source).containsPattern("MaxPool\\.[a-z]+\\([^;]*, parallel\\);")
                .containsPattern("GlobalPool\\.[a-z]+\\([^;]*, serial\\);")
                .containsPattern("FastDense\\.prepare\\([^;]*, serial\\);");
        Tensor x = random(graph, 1, 5);
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
        float[] got = model.instantiate(Parallel.of(2)).forward(new float[][] {x.data()})[0];
        for (int i = 0; i < want.length; i++) assertThat(got[i]).as("element %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f));
    }

    /**
     * A Winograd-nchwc layer whose lone sample is one block of tiles, on 2 threads, times its
     * ways of running (two splits, weights streamed or not) at its first calls: the profiled
     * network reports which it kept.
     */
    @Test
    void theProfileSaysHowAWinogradLayerSplitItself() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("one.cnn", """
                network One {
                  input x: [128, 28, 28]
                  conv(128, 3, pad=1, bias=false) -> relu
                }
                """)).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 3);
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw,
                new CompileOptions(1, 2, false, null, true, Set.of("winograd-f43-nchwc")));
        assertThat(model.choices().values()).singleElement().satisfies(c -> assertThat(c.threads()).isEqualTo(2));
        io.cnnc.kernels.cpu.ProfiledNetwork net = model.instantiateProfiled(Parallel.of(2));
        String[] names = net.layerNames();
        int conv = java.util.Arrays.asList(names).indexOf(model.choices().keySet().iterator().next().name());
        assertThat(net.layerNotes()).hasSize(names.length);
        assertThat(net.layerNotes()[conv]).isEqualTo("timing 4 ways");
        float[][] in = {random(graph, 1, 5).data()};
        float[][] out = net.forward(in);
        for (int i = 0; i < 4 * io.cnnc.kernels.cpu.FastestWay.SAMPLES + io.cnnc.kernels.cpu.FastestWay.SKIPPED; i++) net.forward(in, out);
        assertThat(net.layerNotes()[conv]).matches("split by (groups|tiles), weights (not )?streamed");
        for (int i = 0; i < names.length; i++) if (i != conv) assertThat(net.layerNotes()[i]).as(names[i]).isEmpty();
    }

    /**
     * Asked for by {@code --strategies inverted-residual}, every expansion -> depthwise ->
     * projection chain runs as one kernel where 512-bit vectors are native (whether the cost model
     * fuses it by itself depends on the machine's table: docs/compiler.md, "Inverted residual
     * blocks"); the compiled code stays within 1e-4 of the reference executor, and the fused op's
     * own reference gives the planar graph's values bit for bit.
     */
    @Test
    void invertedResidualBlocksRunAsOneKernel() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 16, "512-bit vectors only");
        Graph graph = Compiler.compile(new SourceFile("nets.cnn", NETS)).networks().get(4);
        Map<String, Tensor> weights = randomizedStatistics(WeightInitializer.initialize(graph, 7));
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(1).withStrategies(Set.of("inverted-residual")));
        // The fused op's reference is its three layers' one after the other: the planar graph's values, bit for bit.
        Tensor x = random(graph, 2, 3);
        assertThat(new ReferenceExecutor(model.optimized(), weights).run(List.of(x)).getFirst().data())
                .containsExactly(new ReferenceExecutor(model.planar(), weights).run(List.of(x)).getFirst().data());
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(random(graph, 1, 4))).getFirst().data();
        float[] got = model.instantiate(Parallel.serial()).forward(new float[][] {random(graph, 1, 4).data()})[0];
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) assertThat((double) Math.abs(got[i] - want[i])).as("element %d", i).isLessThanOrEqualTo(1e-4 * scale);
        List<Node> fused = model.optimized().nodes().stream().filter(n -> n.op() instanceof InvertedResidualOp).toList();
        assertThat(fused).hasSize(4);
        InvertedResidualOp first = (InvertedResidualOp) fused.getFirst().op();
        assertThat(first.residual()).isTrue();
        assertThat(List.of(first.expand(), first.depthwise(), first.project())).extracting(n -> n.op().type())
                .containsExactly("conv+bn+relu6", "dwconv+bn+relu6", "conv+bn+add");
        // EfficientNet's blocks: the squeeze-excitation reads the depthwise output, so the expansion and the depthwise layer alone.
        Graph squeeze = Compiler.compile(new SourceFile("nets.cnn", NETS)).networks().get(5);
        Map<String, float[]> squeezeWeights = new HashMap<>();
        WeightInitializer.initialize(squeeze, 7).forEach((k, v) -> squeezeWeights.put(k, v.data()));
        CompiledModel squeezed = CompiledModel.compile(squeeze, squeezeWeights, CompileOptions.defaults().withStrategies(Set.of("inverted-residual")));
        assertThat(squeezed.optimized().nodes()).filteredOn(n -> n.op() instanceof InvertedResidualOp)
                .extracting(n -> ((InvertedResidualOp) n.op()).project()).containsExactly(null, null);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void optimizedGraphMeansTheSameAsTheSource(int which) throws Exception {
        Graph graph = Compiler.compile(new SourceFile("nets.cnn", NETS)).networks().get(which);
        Map<String, Tensor> weights = randomizedStatistics(WeightInitializer.initialize(graph, 3));
        Graph optimized = InferencePipeline.standard().apply(graph);
        assertThat(optimized.nodes().size()).isLessThan(graph.nodes().size());
        Tensor x = random(graph, 2, 5);
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
        float[] got = new ReferenceExecutor(optimized, weights).run(List.of(x)).getFirst().data();
        assertThat(got).containsExactly(want);
    }

    static Map<String, Tensor> randomizedStatistics(Map<String, Tensor> weights) {
        Random r = new Random(5);
        Map<String, Tensor> out = new HashMap<>(weights);
        for (var e : weights.entrySet()) {
            float[] d = e.getValue().data().clone();
            if (e.getKey().endsWith("running_var")) for (int i = 0; i < d.length; i++) d[i] = 0.5f + r.nextFloat();
            else if (e.getKey().endsWith("running_mean") || e.getKey().matches(".*bn.*\\.(weight|bias)"))
                for (int i = 0; i < d.length; i++) d[i] = r.nextFloat() - 0.5f + (e.getKey().endsWith("weight") ? 1 : 0);
            else continue;
            out.put(e.getKey(), Tensor.of(d, e.getValue().shape()));
        }
        return out;
    }

    static Tensor random(Graph g, int batch, long seed) {
        Random r = new Random(seed);
        var s = g.inputs().getFirst().shape();
        float[] d = new float[Math.toIntExact(batch * s.size())];
        for (int i = 0; i < d.length; i++) d[i] = r.nextFloat() * 2 - 1;
        return Tensor.of(d, s.withBatch(batch));
    }
}
