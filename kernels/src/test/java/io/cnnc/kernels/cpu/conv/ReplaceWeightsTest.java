package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A kernel given new weights ({@link ConvKernel#replaceWeights}) computes what a kernel prepared
 * with them computes, after it has run on the old ones (training reuses kernels across steps).
 */
class ReplaceWeightsTest {

    static List<ConvStrategy> strategies() {
        return ConvStrategies.all();
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void newWeightsGiveWhatAFreshKernelGives(ConvStrategy s) {
        for (ConvGeometry g : List.of(ConvStrategyCheck.geometry(32, 10, 32, 3, 1, 1, 1), ConvStrategyCheck.geometry(16, 9, 48, 3, 2, 1, 1),
                ConvStrategyCheck.geometry(32, 7, 32, 1, 1, 0, 1), ConvStrategyCheck.geometry(32, 8, 32, 3, 1, 1, 32))) {
            if (!s.computes(g)) continue;
            Random r = new Random(5);
            int batch = 3;
            float[] x = uniform(r, batch * g.inC() * g.inH() * g.inW());
            float[] before = uniform(r, g.weightCount());
            float[] after = uniform(r, g.weightCount());
            float[] bias = uniform(r, g.outC());
            Epilogue e = Epilogue.of(bias, false, null, 0);
            int outFloats = batch * g.outC() * g.outH() * g.outW();
            ConvKernel kept = s.prepare(g, before, e, Parallel.serial());
            kept.forward(x, null, new float[outFloats], batch);
            if (!kept.replaceWeights(after)) continue;
            float[] got = new float[outFloats];
            float[] want = new float[outFloats];
            kept.forward(x, null, got, batch);
            s.prepare(g, after, e, Parallel.serial()).forward(x, null, want, batch);
            double scale = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < want.length; i++) {
                // Same arithmetic; a kernel still choosing its way may split the work otherwise, which reorders sums.
                assertThat((double) got[i]).as("%s %s [%d]", s.name(), g, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5 * scale));
            }
        }
    }

    private static float[] uniform(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
