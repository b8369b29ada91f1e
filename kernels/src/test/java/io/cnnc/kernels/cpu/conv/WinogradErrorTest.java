package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.reference.ConvReference;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Measures the rounding error of the Winograd strategies on realistic layers (ResNet's 3x3
 * 64->64 at 56x56 and 256->256 at 14x14, pad 1) against the double-precision reference
 * convolution, next to im2col + GEMM (plain float summation), and prints it; docs/kernels.md,
 * "Winograd error", records the numbers. Inputs are uniform in [-1, 1], weights Kaiming-uniform
 * (bound sqrt(6 / fan_in)), so outputs are O(1) as in a trained network.
 *
 * <p>Bounds: 3x the largest value measured over seeds 1..3 (rounded up), so a change that
 * makes the error markedly worse (a wrong transform constant, float where double was meant)
 * fails, while the summation-order changes of future tuning pass.
 */
class WinogradErrorTest {

    record Error(double relMax, double meanAbs, double meanAbsRef) {}

    /** One layer's data and reference output, shared by the strategies measured on it. */
    private record Layer(ConvGeometry g, float[] x, float[] w, float[] want) {}

    private static final Map<String, Layer> LAYERS = new ConcurrentHashMap<>();

    private static Layer layer(int channels, int size, long seed) {
        return LAYERS.computeIfAbsent(channels + "/" + size + "/" + seed, key -> {
            ConvGeometry g = new ConvGeometry(channels, size, size, channels, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            Random r = new Random(seed);
            float[] x = new float[channels * size * size];
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
            float bound = (float) Math.sqrt(6.0 / (channels * 9));
            float[] w = new float[channels * channels * 9];
            for (int i = 0; i < w.length; i++) w[i] = (r.nextFloat() * 2 - 1) * bound;
            float[] want = new float[x.length];
            ConvReference.forward(x, 1, g, w, null, want);
            return new Layer(g, x, w, want);
        });
    }

    static Error measure(ConvStrategy strategy, int channels, int size, long seed) {
        Layer layer = layer(channels, size, seed);
        ConvGeometry g = layer.g();
        float[] x = layer.x();
        float[] w = layer.w();
        float[] want = layer.want();
        float[] y = new float[x.length];
        strategy.prepare(g, w, Epilogue.none(), Parallel.serial()).forward(x, null, y, 1);
        double maxErr = 0, maxRef = 0, sumErr = 0, sumRef = 0;
        for (int i = 0; i < y.length; i++) {
            double e = Math.abs((double) y[i] - want[i]);
            maxErr = Math.max(maxErr, e);
            maxRef = Math.max(maxRef, Math.abs(want[i]));
            sumErr += e;
            sumRef += Math.abs(want[i]);
        }
        return new Error(maxErr / maxRef, sumErr / y.length, sumRef / y.length);
    }

    @ParameterizedTest(name = "{0} {1}->{1} @{2}")
    @CsvSource({
        // strategy, channels, size, bound on max|err|/max|ref|, bound on mean|err|  (measured: ...)
        "im2col-gemm,   64, 56, 3e-6,   8e-7",   // 9.6e-7, 2.4e-7
        "im2col-gemm,  256, 14, 7e-6,   1.4e-6", // 2.1e-6, 4.5e-7
        "winograd-f23,  64, 56, 1e-6,   5e-7",   // 3.3e-7, 1.6e-7
        "winograd-f23, 256, 14, 2e-6,   1e-6",   // 6.0e-7, 3.0e-7
        "winograd-f43,  64, 56, 2.1e-5, 2.4e-6", // 6.9e-6, 7.9e-7
        "winograd-f43, 256, 14, 4.5e-5, 4e-6",   // 1.5e-5, 1.3e-6
    })
    void errorOnRealisticLayers(String name, int channels, int size, double relBound, double meanBound) {
        ConvStrategy s = ConvStrategies.byName(name);
        double rel = 0, mean = 0, ref = 0;
        for (long seed = 1; seed <= 3; seed++) {
            Error e = measure(s, channels, size, seed);
            rel = Math.max(rel, e.relMax());
            mean = Math.max(mean, e.meanAbs());
            ref = e.meanAbsRef();
        }
        System.out.printf("winograd-error %-13s %3d->%3d @%2d: max|err|/max|ref| %.2e, mean|err| %.2e (mean|ref| %.3f)%n",
                name, channels, channels, size, rel, mean, ref);
        assertThat(rel).isLessThan(relBound);
        assertThat(mean).isLessThan(meanBound);
    }
}
