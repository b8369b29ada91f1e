package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.reference.GlobalPoolReference;
import io.cnnc.kernels.reference.MaxPoolReference;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlockedPoolTest {

    private static float[] uniform(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }

    /** Max is exact: the blocked result, reordered back, equals the reference bit for bit, NaN included. */
    @ParameterizedTest(name = "{0}ch {1}x{2}, k{3} s{4} pad {5}, ceil {6}, batch {7}, {8} thread(s)")
    @CsvSource({
        "64, 112, 112, 3, 2, 1, false, 1, 2",   // ResNet's stem pool
        "16, 7, 9, 3, 2, 1, true, 2, 1",        // ceil mode: the last window runs past the input
        "32, 8, 8, 2, 2, 0, false, 1, 1",
        "16, 5, 6, 3, 1, 1, false, 1, 2",       // stride 1, every window clipped at some edge
    })
    void maxPoolMatchesTheReference(int c, int h, int w, int k, int s, int pad, boolean ceil, int batch, int threads) {
        PoolGeometry g = new PoolGeometry(c, h, w, k, k, s, s, pad, pad, pad, pad, ceil);
        float[] x = uniform(new Random(3), batch * c * h * w);
        x[5] = Float.NaN;
        float[] expected = new float[batch * c * g.outH() * g.outW()];
        MaxPoolReference.forward(x, batch, g, expected);
        float[] xb = new float[x.length], yb = new float[expected.length], y = new float[expected.length];
        Nchwc.toBlocked(x, xb, batch, c, h * w);
        BlockedPool.max(xb, batch, g, yb, Parallel.of(threads));
        Nchwc.toPlanar(yb, y, batch, c, g.outH() * g.outW());
        assertThat(y).containsExactly(expected);
    }

    /** The mean sums each channel's pixels in order in float: within a few ulps of the reference's (49 terms: 1e-6 relative). */
    @ParameterizedTest(name = "{0}ch {1} pixels, batch {2}")
    @CsvSource({"512, 49, 1", "32, 64, 2", "16, 1, 1"})
    void globalPoolsMatchTheReference(int c, int spatial, int batch) {
        float[] x = uniform(new Random(5), batch * c * spatial);
        float[] xb = new float[x.length];
        Nchwc.toBlocked(x, xb, batch, c, spatial);
        float[] mean = new float[batch * c], max = new float[batch * c], refMean = new float[batch * c], refMax = new float[batch * c];
        GlobalPoolReference.average(x, batch, c, spatial, refMean);
        GlobalPoolReference.max(x, batch, c, spatial, refMax);
        BlockedPool.average(xb, batch, c, spatial, mean, Parallel.of(2));
        BlockedPool.max(xb, batch, c, spatial, max, Parallel.of(2));
        assertThat(max).containsExactly(refMax);
        for (int i = 0; i < mean.length; i++) assertThat((double) mean[i]).as("channel %d", i).isCloseTo(refMean[i], org.assertj.core.api.Assertions.within(1e-6));
    }
}
