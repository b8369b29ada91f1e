package io.cnnc.bench.jmh;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.cpu.FastDense;
import io.cnnc.kernels.cpu.FastElementwise;
import io.cnnc.kernels.cpu.FastGlobalPool;
import io.cnnc.kernels.cpu.FastMaxPool;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.reference.ActivationReference;
import io.cnnc.kernels.reference.AddReference;
import io.cnnc.kernels.reference.DenseReference;
import io.cnnc.kernels.reference.GlobalPoolReference;
import io.cnnc.kernels.reference.MaxPoolReference;
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
 * The non-conv layers of an ImageNet network, batch 1, fast kernel against its reference:
 * {@code maxpool} 3x3 s2 pad 1 on 64x112x112 (ResNet's stem), {@code globalavg} over 512x7x7,
 * {@code dense} 512->1000 (the classifier), {@code addrelu} residual add + ReLU on 64x56x56 (the
 * reference is AddReference then ActivationReference in place). {@code threads} applies to the
 * fast kernels; the references are single-threaded.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xss8m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBenchmark {

    @Param({"maxpool", "globalavg", "dense", "addrelu"})
    public String op;

    @Param({"reference", "fast"})
    public String impl;

    @Param({"1"})
    public int threads;

    private Runnable run;

    @Setup
    public void setup() {
        Random r = new Random(1);
        Parallel p = Parallel.of(threads);
        boolean fast = switch (impl) {
            case "fast" -> true;
            case "reference" -> false;
            default -> throw new IllegalArgumentException("impl is fast or reference, not " + impl);
        };
        switch (op) {
            case "maxpool" -> {
                PoolGeometry g = new PoolGeometry(64, 112, 112, 3, 3, 2, 2, 1, 1, 1, 1, false);
                float[] x = random(r, 64 * 112 * 112), y = new float[64 * g.outH() * g.outW()];
                run = fast ? () -> FastMaxPool.forward(x, 1, g, y, p) : () -> MaxPoolReference.forward(x, 1, g, y);
            }
            case "globalavg" -> {
                float[] x = random(r, 512 * 49), y = new float[512];
                run = fast ? () -> FastGlobalPool.average(x, 1, 512, 49, y, p) : () -> GlobalPoolReference.average(x, 1, 512, 49, y);
            }
            case "dense" -> {
                float[] w = random(r, 1000 * 512), b = random(r, 1000), x = random(r, 512), y = new float[1000];
                FastDense d = FastDense.prepare(w, b, 512, 1000, p);
                run = fast ? () -> d.forward(x, y, 1) : () -> DenseReference.forward(x, 1, 512, 1000, w, b, y);
            }
            case "addrelu" -> {
                int n = 64 * 56 * 56;
                float[] a = random(r, n), b = random(r, n), y = new float[n];
                run = fast ? () -> FastElementwise.add(a, b, y, ActivationKind.RELU, 0, p) : () -> {
                    AddReference.forward(a, b, y);
                    ActivationReference.forward(ActivationKind.RELU, 0, y, y);
                };
            }
            default -> throw new IllegalArgumentException("no op '" + op + "'");
        }
    }

    @Benchmark
    public void forward() {
        run.run();
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
