package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.exec.RandomNetworkSource.Choice;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Property: for random small valid networks, the compiled CPU model (fusion, BN folding, layout
 * and strategy choice, generated Java) computes what the reference executor computes on the
 * source graph. Each case draws its network ({@link RandomNetworkSource}), batch 1 or 2, 1 or 2
 * threads and a family of conv strategies to force, so every kernel family is reached.
 * Tolerance as {@link CompiledModelTest}: 1e-4 of the output's largest magnitude, a few times
 * the float32-against-double and Winograd rounding of a dozen layers, far below the order-1
 * errors of a wrong index or a lost epilogue.
 */
class CompiledModelPropertyTest {

    /** Strategy sets to force (empty: the cost model's choice); a layer none of them computes falls back to all. */
    static final List<Set<String>> STRATEGY_FAMILIES = List.of(
            Set.of(),
            Set.of("direct"),
            Set.of("im2col-gemm"),
            Set.of("gemm-1x1", "pixel-gemm"),
            Set.of("winograd-f23", "depthwise"),
            Set.of("winograd-f43"),
            Set.of("direct-nchwc", "depthwise-nchwc"),
            Set.of("direct-nchwc-planar-in", "direct-nchwc-planar"),
            // Alone, since beside direct-nchwc the cost model hardly ever picks them for layers this small.
            Set.of("winograd-f23-nchwc"),
            Set.of("winograd-f43-nchwc"));

    /** One generated case; its text is what jqwik prints for a failing (and shrunk) sample. */
    record Case(String source, int batch, int threads, Set<String> strategies, long seed) {
        @Override
        public String toString() {
            return "batch " + batch + ", threads " + threads + ", strategies " + new TreeSet<>(strategies) + ", seed " + seed + "\n" + source;
        }
    }

    @Property(tries = 150, seed = "20250922", edgeCases = EdgeCasesMode.NONE)
    void compiledModelMatchesTheReferenceExecutor(@ForAll("cases") Case c) throws Exception {
        SourceFile file = new SourceFile("random.cnn", c.source());
        Diagnostics diagnostics = new Diagnostics(file);
        var compiled = Compiler.compile(file, diagnostics);
        assertThat(diagnostics.hasErrors()).as("the generator wrote an invalid network:\n%s\n%s", diagnostics.render(), c).isFalse();
        Graph graph = compiled.networks().getFirst();
        Map<String, Tensor> weights = CompiledModelTest.randomizedStatistics(WeightInitializer.initialize(graph, c.seed()));
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        CompiledModel model = CompiledModel.compile(graph, raw,
                CompileOptions.defaults().withBatch(c.batch()).withThreads(c.threads()).withStrategies(c.strategies()));
        Set<String> used = new TreeSet<>();
        model.choices().values().forEach(choice -> used.add(choice.strategy()));
        Tensor x = CompiledModelTest.random(graph, c.batch(), c.seed());
        float[][] got = model.instantiate(Parallel.of(c.threads())).forward(new float[][] {x.data()});
        List<Tensor> want = new ReferenceExecutor(graph, weights).run(List.of(x));
        assertThat(got.length).as("outputs of\n%s", c).isEqualTo(want.size());
        for (int o = 0; o < want.size(); o++) {
            float[] w = want.get(o).data();
            assertThat(got[o]).as("output %d of\n%s", o, c).hasSameSizeAs(w);
            double scale = 0;
            for (float v : w) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < w.length; i++) {
                assertThat((double) Math.abs(got[o][i] - w[i])).as("output %d element %d (reference %s, compiled %s, strategies used %s) of\n%s",
                        o, i, w[i], got[o][i], used, c).isLessThanOrEqualTo(1e-4 * scale);
            }
        }
        for (String s : used) Statistics.label("strategy").collect(s);
        Statistics.label("strategy").coverage(coverage -> {
            for (String s : List.of("direct", "im2col-gemm", "gemm-1x1", "pixel-gemm", "winograd-f23", "winograd-f43", "depthwise")) {
                coverage.check(s).count(n -> n > 0);
            }
            if (FloatVector.SPECIES_PREFERRED.length() >= 16) {
                coverage.check("direct-nchwc").count(n -> n > 0);
                coverage.checkQuery(s -> s.getFirst() instanceof String name && name.startsWith("winograd") && name.endsWith("nchwc"))
                        .count(n -> n > 0);
            }
        });
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Choice> choice = Combinators.combine(
                Arbitraries.integers().between(0, RandomNetworkSource.Kind.values().length + 5),
                Arbitraries.integers().between(0, 59), Arbitraries.integers().between(0, 59),
                Arbitraries.integers().between(0, 59), Arbitraries.integers().between(0, 59)).as(Choice::new);
        Arbitrary<String> source = Combinators.combine(
                Arbitraries.of(1, 2, 3, 4, 5, 6, 7, 8, 16), Arbitraries.integers().between(5, 16), Arbitraries.integers().between(5, 16),
                choice.list().ofMinSize(2).ofMaxSize(7), Arbitraries.of(false, true))
                .as(RandomNetworkSource::write);
        return Combinators.combine(source, Arbitraries.of(1, 2), Arbitraries.of(1, 2), Arbitraries.of(STRATEGY_FAMILIES),
                Arbitraries.longs().between(0, 1000)).as(Case::new);
    }
}
