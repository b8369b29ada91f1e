package io.cnnc.bench.jmh;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.cpu.FastActivation;
import io.cnnc.kernels.reference.ActivationReference;
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
 * One activation on 64x56x56 floats, out of place so repeated calls see the same inputs, one
 * thread: {@code fast} is FastActivation in 2048-float blocks as a conv epilogue calls it,
 * {@code reference} ActivationReference over the whole array (the CPU training path's form).
 * Setup first runs every kind through both, so the shared call sites have seen them all, as in a
 * network mixing activations: a kind whose loop stops being inlined shows here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "-Xss8m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ActivationBenchmark {

    private static final int N = 64 * 56 * 56;
    private static final int BLOCK = 2048;

    /** No values given: JMH runs every ActivationKind constant, a new one included. */
    @Param
    public ActivationKind kind;

    @Param({"fast", "reference"})
    public String impl;

    private boolean fast;
    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        fast = switch (impl) {
            case "fast" -> true;
            case "reference" -> false;
            default -> throw new IllegalArgumentException("impl is fast or reference, not " + impl);
        };
        Random r = new Random(1);
        x = new float[N];
        for (int i = 0; i < N; i++) x[i] = (float) r.nextGaussian() * 3;
        y = new float[N];
        for (int rep = 0; rep < 20; rep++) {
            for (ActivationKind other : ActivationKind.values()) {
                blocks(other, x, y);
                ActivationReference.forward(other, 0.01, x, y);
            }
        }
    }

    @Benchmark
    public float[] forward() {
        if (fast) blocks(kind, x, y);
        else ActivationReference.forward(kind, 0.01, x, y);
        return y;
    }

    private static void blocks(ActivationKind kind, float[] x, float[] y) {
        for (int off = 0; off < N; off += BLOCK) FastActivation.range(kind, 0.01, x, off, y, off, Math.min(BLOCK, N - off));
    }
}
