package io.cnnc.compiler.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.exec.GraphReference;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.passes.InferencePipeline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The build-time half of "an op is defined once": the Java compiler names every binding a new
 * op record lacks, and this test names what it cannot. Every op kind the sealed hierarchy
 * permits must be written by a network below (its way in from the language), and each network
 * runs through the reference of its source graph and of its optimized graph, so every source
 * op and every planar op the passes make computes. A new record fails here until it has a line
 * in {@link #NETWORKS}.
 */
class OpCoverageTest {

    /** Per op kind, the body of a network on input {@code x: [4, 4, 4]} that writes it. */
    private static final Map<Class<?>, String> NETWORKS = Map.ofEntries(
            Map.entry(ConvOp.class, "conv(4, 3, pad=1)"),
            Map.entry(DenseOp.class, "flatten -> dense(3)"),
            Map.entry(BatchNormOp.class, "bn"),
            Map.entry(LayerNormOp.class, "layernorm"),
            Map.entry(ScaleOp.class, "scale(0.5)"),
            Map.entry(ShiftOp.class, "shift(0.25)"),
            Map.entry(PoolOp.class, "maxpool(2)"),
            Map.entry(GlobalPoolOp.class, "gap"),
            Map.entry(AdaptiveAvgPoolOp.class, "adaptiveavgpool(2)"),
            Map.entry(ActivationOp.class, "relu"),
            Map.entry(SoftmaxOp.class, "softmax"),
            Map.entry(FlattenOp.class, "flatten"),
            Map.entry(DropoutOp.class, "dropout(0.5)"),
            Map.entry(AddOp.class, "a = x -> relu\n a + x"),
            Map.entry(MulOp.class, "a = x -> sigmoid\n a * x"),
            Map.entry(ConcatOp.class, "a = x -> relu\n concat(a, x)"),
            Map.entry(ChannelShuffleOp.class, "channelshuffle(2)"),
            Map.entry(UpsampleOp.class, "upsample(2, mode=\"bilinear\")"),
            Map.entry(GroupNormOp.class, "groupnorm(2) -> instancenorm(affine=true)"),
            Map.entry(DeconvOp.class, "deconv(3, 3, stride=2, pad=1, output_pad=1)"),
            Map.entry(SliceOp.class, "a = x -> slice(0, 2)\n b = x -> slice(1, 4) -> relu\n concat(a, b)"),
            Map.entry(FusedConvOp.class, "conv(4, 3, pad=1) -> bn -> relu"),
            // Made by the layout pass only, on the cost model's verdict: ChooseLayoutsTest and PassGoldenTest cover them.
            Map.entry(ReorderOp.class, ""),
            Map.entry(BlockedOp.class, ""),
            // Made after the layout choice, on the cost model's verdict: the runtime's CompiledModelTest runs it and its reference.
            Map.entry(InvertedResidualOp.class, ""));

    @Test
    void everyOpKindIsWrittenByANetworkThatRuns() {
        Set<Class<?>> kinds = concreteOps(Op.class, new LinkedHashSet<>());
        assertThat(NETWORKS.keySet()).as("op kinds with a network here").containsAll(kinds);
        for (var e : NETWORKS.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            Graph source = CompileTestSupport.graph("network N { input x: [4, 4, 4]\n " + e.getValue() + " }");
            Graph optimized = InferencePipeline.standard().apply(source);
            Map<String, float[]> weights = randomWeights(source);
            Set<Class<?>> seen = new LinkedHashSet<>();
            for (Graph g : List.of(source, optimized)) {
                g.nodes().forEach(n -> seen.add(n.op().getClass()));
                List<float[]> in = List.of(randoms(new SplittableRandom(2), Math.toIntExact(g.inputs().getFirst().shape().size())));
                for (float[] out : new GraphReference(g, weights::get).run(in, 1)) {
                    for (float f : out) assertThat(Float.isFinite(f)).as(e.getValue()).isTrue();
                }
            }
            assertThat(seen).as(e.getValue()).contains(e.getKey());
        }
    }

    private static Set<Class<?>> concreteOps(Class<?> type, Set<Class<?>> out) {
        if (!type.isSealed()) out.add(type);
        else for (Class<?> sub : type.getPermittedSubclasses()) concreteOps(sub, out);
        return out;
    }

    /** Positive values, so variances are valid; the optimized graph reads the source's tensors by name. */
    private static Map<String, float[]> randomWeights(Graph source) {
        SplittableRandom random = new SplittableRandom(1);
        Map<String, float[]> weights = new HashMap<>();
        for (Graph.NamedParam p : source.parameters()) weights.put(p.name(), randoms(random, Math.toIntExact(p.spec().size())));
        return weights;
    }

    private static float[] randoms(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) random.nextDouble(0.5, 1.5);
        return a;
    }
}
