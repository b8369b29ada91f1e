package io.cnnc.compiler.passes;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.exec.GraphReference;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each pass case of {@link PassGoldenTest} keeps the network's meaning: the graph before and
 * after it, run by {@link GraphReference} on the same random weights and input, gives the same
 * outputs. Bit for bit, because a fused op's reference computation is its parts' reference
 * computations in the source order (float addition commutes, so a residual fused on either
 * operand of the add gives the same sums), and reorders and blocked ops mean the identity.
 */
class PassSemanticsTest {

    private static final int BATCH = 2;

    static List<PassGoldenTest.Case> cases() {
        return PassGoldenTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePassKeepsTheReferenceOutputs(PassGoldenTest.Case c) {
        Graph source = CompileTestSupport.graph(c.source());
        Graph before = source;
        for (Pass p : c.setup()) before = p.apply(before);
        Graph after = c.transform().apply(before);
        SplittableRandom random = new SplittableRandom(c.name().hashCode());
        Map<String, float[]> weights = new HashMap<>();
        for (Graph.NamedParam p : source.parameters()) {
            // Variances must be positive; everything else may take either sign.
            boolean variance = p.name().endsWith("running_var");
            weights.put(p.name(), randoms(random, Math.toIntExact(p.spec().size()), variance ? 0.5 : -1, 1.5));
        }
        List<float[]> inputs = new ArrayList<>();
        for (Value v : source.inputs()) inputs.add(randoms(random, Math.toIntExact(BATCH * v.shape().size()), -2, 2));
        List<float[]> expected = new GraphReference(source, weights::get).run(inputs, BATCH);
        List<float[]> actual = new GraphReference(after, weights::get).run(inputs, BATCH);
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) assertThat(actual.get(i)).as("output " + i).containsExactly(expected.get(i));
    }

    private static float[] randoms(SplittableRandom random, int n, double from, double to) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) random.nextDouble(from, to);
        return a;
    }
}
