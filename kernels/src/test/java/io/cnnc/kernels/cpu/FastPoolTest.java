package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.reference.AdaptiveAvgPoolReference;
import io.cnnc.kernels.reference.AvgPoolReference;
import io.cnnc.kernels.reference.GlobalPoolReference;
import io.cnnc.kernels.reference.MaxPoolReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FastPoolTest {

    private static final float EPS = Math.ulp(1f) / 2; // 2^-24, float's unit roundoff


    /** Random valid geometries: odd sizes, kernels up to 5, strides 1..3, asymmetric padding, both modes. */
    private static List<PoolGeometry> randomGeometries(int count, long seed) {
        Random r = new Random(seed);
        List<PoolGeometry> out = new ArrayList<>();
        while (out.size() < count) {
            int kh = 1 + r.nextInt(5), kw = 1 + r.nextInt(5);
            try {
                out.add(new PoolGeometry(1 + r.nextInt(4), 1 + r.nextInt(23), 1 + r.nextInt(41), kh, kw,
                        1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(kh / 2 + 1), r.nextInt(kw / 2 + 1),
                        r.nextInt(kh / 2 + 1), r.nextInt(kw / 2 + 1), r.nextBoolean()));
            } catch (IllegalArgumentException windowLargerThanInput) {
                // draw again
            }
        }
        // Shapes networks use, and edge cases the random draw may miss.
        out.add(new PoolGeometry(3, 17, 23, 3, 3, 2, 2, 1, 1, 1, 1, false)); // ResNet stem pool, odd input
        out.add(new PoolGeometry(2, 9, 112, 3, 3, 2, 2, 1, 1, 1, 1, false)); // ResNet stem pool's width: 3 full vectors and a tail
        out.add(new PoolGeometry(2, 8, 70, 3, 3, 2, 2, 0, 0, 1, 1, false)); // stride-2 3-wide, no left padding
        out.add(new PoolGeometry(2, 14, 14, 3, 3, 2, 2, 0, 0, 0, 0, true)); // ceil mode: last window overhangs
        out.add(new PoolGeometry(2, 7, 40, 2, 2, 2, 2, 0, 0, 0, 0, true)); // odd height in ceil mode
        out.add(new PoolGeometry(2, 5, 5, 2, 2, 1, 1, 3, 3, 3, 3, false)); // windows entirely in padding
        out.add(new PoolGeometry(1, 2, 2, 3, 3, 2, 2, 0, 0, 0, 0, true)); // window larger than the input
        out.add(new PoolGeometry(2, 9, 37, 3, 3, 1, 1, 1, 1, 1, 1, false)); // stride 1, vector body + tail
        return out;
    }

    @Test
    void maxPoolEqualsTheReferenceExactly() {
        for (PoolGeometry g : randomGeometries(60, 1)) {
            for (int batch : new int[] {1, 3}) {
                float[] x = FastArrays.random(batch * g.channels() * g.inH() * g.inW(), g.hashCode());
                float[] want = new float[batch * g.channels() * g.outH() * g.outW()];
                MaxPoolReference.forward(x, batch, g, want);
                for (int threads : new int[] {1, 2}) {
                    float[] got = new float[want.length];
                    FastMaxPool.forward(x, batch, g, got, Parallel.of(threads));
                    // Max picks one of its inputs, so any order gives the same float.
                    FastArrays.assertIdentical(got, want, String.format("%s batch %d threads %d", g, batch, threads));
                }
            }
        }
    }

    @Test
    void maxPoolPropagatesNaNAndInfinityLikeTheReference() {
        PoolGeometry g = new PoolGeometry(2, 11, 35, 3, 3, 2, 2, 1, 1, 1, 1, false);
        float[] x = FastArrays.random(2 * 11 * 35, 5);
        x[40] = Float.NaN;
        x[100] = Float.POSITIVE_INFINITY;
        x[11 * 35 + 3] = Float.NaN;
        float[] want = new float[2 * g.outH() * g.outW()];
        MaxPoolReference.forward(x, 1, g, want);
        float[] got = new float[want.length];
        FastMaxPool.forward(x, 1, g, got, Parallel.serial());
        FastArrays.assertIdentical(got, want, "fast vs reference");
        assertThat(got).contains(Float.NaN, Float.POSITIVE_INFINITY);
    }

    @Test
    void avgPoolMatchesTheReference() {
        for (PoolGeometry g : randomGeometries(60, 2)) {
            for (int batch : new int[] {1, 3}) {
                float[] x = FastArrays.random(batch * g.channels() * g.inH() * g.inW(), g.hashCode() + 7);
                float[] want = new float[batch * g.channels() * g.outH() * g.outW()];
                AvgPoolReference.forward(x, batch, g, want);
                for (int threads : new int[] {1, 2}) {
                    float[] got = new float[want.length];
                    FastAvgPool.forward(x, batch, g, got, Parallel.of(threads));
                    FastArrays.assertClose(got, want, avgTolerance(g, x), g + " batch " + batch + " threads " + threads);
                }
            }
        }
    }

    /**
     * The float sum takes kernelH-1 vertical and kernelW-1 horizontal roundings, plus one for the
     * division, each at most 2^-24 of a partial sum no larger than the window's absolute sum;
     * divided by the divisor that is at most max|x|. Twice that bound leaves room for the
     * reference's own final rounding; a dropped or doubled term (about max|x| / area) is far above.
     */
    private static double avgTolerance(PoolGeometry g, float[] x) {
        double maxAbs = FastArrays.maxAbs(x);
        return 2 * (g.kernelH() + g.kernelW() + 1) * EPS * maxAbs;
    }

    @Test
    void largeLayersSplitAcrossThreadsGiveIdenticalResults() {
        // Big enough for several tasks per thread (more than 16K input floats per task).
        PoolGeometry g = new PoolGeometry(16, 56, 56, 3, 3, 2, 2, 1, 1, 1, 1, false);
        float[] x = FastArrays.random(2 * 16 * 56 * 56, 9);
        float[] one = new float[2 * 16 * g.outH() * g.outW()];
        float[] two = new float[one.length];
        FastAvgPool.forward(x, 2, g, one, Parallel.serial());
        FastAvgPool.forward(x, 2, g, two, Parallel.of(2));
        FastArrays.assertIdentical(two, one, "2 threads vs 1");
        float[] want = new float[one.length];
        AvgPoolReference.forward(x, 2, g, want);
        FastArrays.assertClose(one, want, avgTolerance(g, x), "avg " + g);
        MaxPoolReference.forward(x, 2, g, want);
        FastMaxPool.forward(x, 2, g, two, Parallel.of(2));
        FastArrays.assertIdentical(two, want, "max pool, 2 threads");
    }

    /**
     * Mean: each of L lane sums adds about spatial/L terms, then L lanes and the tail are added,
     * fewer than spatial/L + L + 16 roundings of partial sums bounded by sum|x|; over spatial that
     * is below (spatial/L + L + 16) * 2^-24 * max|x|, and we allow spatial + 32 roundings to stay
     * independent of L. Max is exact.
     */
    @ParameterizedTest
    @CsvSource({"1,1,1", "1,5,49", "3,7,1", "3,13,15", "2,512,49", "3,64,3136", "1,3,17"})
    void globalPoolMatchesTheReference(int batch, int channels, int spatial) {
        float[] x = FastArrays.random(batch * channels * spatial, spatial * 31L + channels);
        float[] want = new float[batch * channels];
        float[] got = new float[want.length];
        double maxAbs = FastArrays.maxAbs(x);
        for (int threads : new int[] {1, 2}) {
            GlobalPoolReference.average(x, batch, channels, spatial, want);
            FastGlobalPool.average(x, batch, channels, spatial, got, Parallel.of(threads));
            FastArrays.assertClose(got, want, (spatial + 32) * EPS * maxAbs, "average");
            GlobalPoolReference.max(x, batch, channels, spatial, want);
            FastGlobalPool.max(x, batch, channels, spatial, got, Parallel.of(threads));
            FastArrays.assertIdentical(got, want, "fast vs reference");
        }
    }

    /** Same bound as the average pool's: a bin of at most 7x7 here sums in float (the reference in double). */
    @ParameterizedTest
    @CsvSource({"1,3,7,7,1,1", "3,4,14,14,7,7", "1,2,12,18,3,6", "3,3,10,13,4,5", "1,2,5,5,7,7"})
    void adaptiveAvgPoolMatchesTheReference(int batch, int channels, int inH, int inW, int outH, int outW) {
        float[] x = FastArrays.random(batch * channels * inH * inW, inH * 100L + inW);
        float[] want = new float[batch * channels * outH * outW];
        AdaptiveAvgPoolReference.forward(x, batch, channels, inH, inW, outH, outW, want);
        double maxAbs = FastArrays.maxAbs(x);
        for (int threads : new int[] {1, 2}) {
            float[] got = new float[want.length];
            FastAdaptiveAvgPool.forward(x, batch, channels, inH, inW, outH, outW, got, Parallel.of(threads));
            FastArrays.assertClose(got, want, (inH * inW + 32) * EPS * maxAbs, "adaptive " + inH + "x" + inW + " -> " + outH + "x" + outW);
        }
    }

}
