package io.cnnc.bench.jmh;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvKernel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One forward pass (batch 1) of each benchmark layer ({@link ConvLayers}) with each conv
 * strategy, on 1 and 2 threads, in microseconds. Blocked strategies read and write NCHW16c;
 * the arrays hold random data either way, which the timing does not care about.
 *
 * <p>JMH has no way to skip a parameter combination, and throwing from setup would abort the
 * run, so a strategy that does not support a layer (gemm-1x1 on a 3x3, direct-nchwc on 3 input
 * channels) leaves {@link #supported} false and the benchmark returns at once: <b>rows scoring
 * about 0.001 us are unsupported combinations, to be ignored</b>. The setup also says so on
 * stderr. The strategy list must name every strategy in {@link ConvStrategies#all()}; a test
 * checks it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xss8m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvStrategyBenchmark {

    @Param({"3x3-64-64@56", "3x3-256-256@14", "3x3-128-128@28", "3x3s2-64-128@56", "1x1-256-64@56",
            "dw3x3-144@56", "7x7s2-3-64@224", "5x5-1-6@28", "3x3-512-512@7"})
    public String layer;

    @Param({"im2col-gemm", "gemm-1x1", "pixel-gemm", "direct-nchwc", "direct-nchwc-planar", "direct-nchwc-planar-in", "depthwise", "depthwise-nchwc", "direct", "winograd-f23", "winograd-f43",
            "winograd-f23-nchwc", "winograd-f43-nchwc"})
    public String strategy;

    @Param({"1", "2"})
    public int threads;

    boolean supported;
    private ConvKernel kernel;
    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        ConvGeometry g = ConvLayers.byName(layer);
        ConvStrategy s = ConvStrategies.byName(strategy);
        supported = s.supports(g);
        if (!supported) {
            System.err.println("ConvStrategyBenchmark: " + strategy + " does not support " + layer + "; this row times nothing, ignore it");
            return;
        }
        Random r = new Random(1);
        float[] w = random(r, g.weightCount());
        x = random(r, g.inC() * g.inH() * g.inW());
        y = new float[g.outC() * g.outH() * g.outW()];
        kernel = s.prepare(g, w, io.cnnc.kernels.cpu.conv.Epilogue.none(), Parallel.of(threads));
    }

    @Benchmark
    public float[] forward() {
        if (!supported) return null;
        kernel.forward(x, null, y, 1);
        return y;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
