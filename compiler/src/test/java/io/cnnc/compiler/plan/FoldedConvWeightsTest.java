package io.cnnc.compiler.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.compiler.ops.BatchNormOp;
import io.cnnc.compiler.ops.ConvOp;
import io.cnnc.compiler.ops.FusedConvOp;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Folding checked against BN applied by hand to a conv's output, in double. */
class FoldedConvWeightsTest {

    @Test
    void foldedConvEqualsConvThenBatchNorm() {
        ConvOp conv = new ConvOp("conv", 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true);
        FusedConvOp f = FusedConvOp.of(conv, "c").withBatchNorm(new BatchNormOp(1e-5, 0.1), "b");
        Map<String, float[]> t = Map.of("c.weight", new float[] {0.5f, -2f, 3f, 1f}, "c.bias", new float[] {0.25f, -1f},
                "b.weight", new float[] {2f, 0.5f}, "b.bias", new float[] {0.1f, -0.3f},
                "b.running_mean", new float[] {1f, -2f}, "b.running_var", new float[] {4f, 0.25f});
        FoldedConvWeights fw = FoldedConvWeights.of(f, t::get);
        double[] x = {0.7, -1.3};
        for (int o = 0; o < 2; o++) {
            double conv0 = t.get("c.weight")[2 * o] * x[0] + t.get("c.weight")[2 * o + 1] * x[1] + t.get("c.bias")[o];
            double bn = (conv0 - t.get("b.running_mean")[o]) / Math.sqrt(t.get("b.running_var")[o] + 1e-5) * t.get("b.weight")[o]
                    + t.get("b.bias")[o];
            double folded = fw.weight()[2 * o] * x[0] + fw.weight()[2 * o + 1] * x[1] + fw.bias()[o];
            assertThat(folded).isCloseTo(bn, within(1e-6));
        }
    }

    @Test
    void withoutBatchNormTheTensorsPassThrough() {
        ConvOp conv = new ConvOp("conv", 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, false);
        float[] w = {3f};
        FoldedConvWeights fw = FoldedConvWeights.of(FusedConvOp.of(conv, "c"), Map.of("c.weight", w)::get);
        assertThat(fw.weight()).isSameAs(w);
        assertThat(fw.bias()).isNull();
    }
}
