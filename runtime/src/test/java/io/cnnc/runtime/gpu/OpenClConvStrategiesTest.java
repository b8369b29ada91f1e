package io.cnnc.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.ConvBuffers;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.kernels.reference.ActivationReference;
import io.cnnc.kernels.reference.ConvReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every GPU conv strategy on random geometries (odd sizes, stride 2, asymmetric padding,
 * dilation, groups, channel counts that do not fill a tile) with a random fused epilogue,
 * against ConvReference (double sums) followed by the epilogue by hand. Tolerance: 1e-5 of the
 * output's largest magnitude for direct, GEMM and depthwise (float sums of up to a few hundred
 * terms); Winograd 1e-4, with its measured error printed.
 */
class OpenClConvStrategiesTest {

    private static final ActivationKind[] ACTS = ActivationKind.values();

    @Test
    void directMatchesTheReference() {
        check(GpuConvStrategy.DIRECT, geometries(new Random(1), false, false), 1e-5);
    }

    @Test
    void gemmMatchesTheReference() {
        check(GpuConvStrategy.GEMM, geometries(new Random(2), false, false), 1e-5);
    }

    @Test
    void depthwiseMatchesTheReference() {
        check(GpuConvStrategy.DEPTHWISE, geometries(new Random(3), true, false), 1e-5);
    }

    @Test
    void winogradMatchesTheReference() {
        double worst = check(GpuConvStrategy.WINOGRAD, geometries(new Random(4), false, true), 1e-4);
        System.err.printf("Winograd F(2x2,3x3) on OpenCL: worst error %.2e of the output's magnitude%n", worst);
    }

    @Test
    void largeWindowsFallBackToGlobalReadsAndStillMatch() {
        // 11x11 stride 4 (AlexNet's first layer) does not fit the direct kernel's local patch.
        List<ConvGeometry> big = List.of(new ConvGeometry(3, 47, 45, 10, 11, 11, 4, 4, 2, 2, 2, 2, 1, 1, 1),
                new ConvGeometry(6, 40, 40, 6, 9, 9, 3, 3, 4, 4, 4, 4, 2, 2, 6));
        check(GpuConvStrategy.DIRECT, big.subList(0, 1), 1e-5);
        check(GpuConvStrategy.DEPTHWISE, big.subList(1, 2), 1e-5);
    }

    /** Random geometries the strategy supports; {@code depthwise} and {@code winograd} constrain them. */
    private static List<ConvGeometry> geometries(Random r, boolean depthwise, boolean winograd) {
        List<ConvGeometry> out = new ArrayList<>();
        while (out.size() < 6) {
            int groups = depthwise ? 0 : winograd || r.nextInt(3) > 0 ? 1 : 1 + r.nextInt(3);
            int inC = depthwise ? 1 + r.nextInt(12) : groups * (1 + r.nextInt(winograd ? 20 : 9));
            if (depthwise) groups = inC;
            int outC = depthwise ? inC * (1 + r.nextInt(2)) : groups * (1 + r.nextInt(winograd ? 20 : 40));
            int kh = winograd ? 3 : 1 + r.nextInt(5);
            int kw = winograd ? 3 : r.nextBoolean() ? kh : 1 + r.nextInt(5);
            int s = winograd ? 1 : 1 + r.nextInt(2);
            int d = winograd || r.nextInt(4) > 0 ? 1 : 2;
            int h = 3 + r.nextInt(20), w = 3 + r.nextInt(20);
            int pt = r.nextInt(3), pl = r.nextInt(3), pb = r.nextInt(3), pr = r.nextInt(3);
            try {
                out.add(new ConvGeometry(inC, h, w, outC, kh, kw, s, s, pt, pl, pb, pr, d, d, groups));
            } catch (IllegalArgumentException tooSmall) {
                // the window does not fit this input: draw again
            }
        }
        return out;
    }

    private static double check(GpuConvStrategy strategy, List<ConvGeometry> geometries, double tolerance) {
        GpuBackend device = OpenClTestDevice.get();
        Random r = new Random(strategy.ordinal());
        double worst = 0;
        for (ConvGeometry g : geometries) {
            assertThat(strategy.supports(g)).as("%s supports %s", strategy, g).isTrue();
            int batch = 1 + r.nextInt(2);
            boolean bias = r.nextBoolean(), residual = r.nextBoolean();
            ActivationKind act = ACTS[r.nextInt(ACTS.length)];
            float[] x = uniform(r, batch * g.inC() * g.inH() * g.inW());
            float[] w = uniform(r, g.weightCount());
            float[] b = uniform(r, g.outC());
            int outSize = batch * g.outC() * g.outH() * g.outW();
            float[] res = uniform(r, outSize);
            float[] want = new float[outSize];
            ConvReference.forward(x, batch, g, w, bias ? b : null, want);
            for (int i = 0; i < outSize; i++) want[i] = (float) ActivationReference.apply(act, 0.1, want[i] + (residual ? res[i] : 0.0));

            LaunchRunner run = new LaunchRunner(device);
            long[] ws = strategy.workspace(g, batch);
            ConvBuffers buffers = new ConvBuffers(run.buffer(x), run.buffer(strategy.deviceWeights(g, w)),
                    bias ? run.buffer(b) : Arg.NO_BUFFER, residual ? run.buffer(res) : Arg.NO_BUFFER, run.empty(outSize),
                    ws[0] > 0 ? run.empty(ws[0]) : Arg.NO_BUFFER, ws[1] > 0 ? run.empty(ws[1]) : Arg.NO_BUFFER);
            float[] got = run.run(strategy.launches(g, batch, buffers, GpuActivation.code(act), 0.1f)).get(buffers.y());
            String what = strategy.label() + " " + g + " batch " + batch + " bias " + bias + " residual " + residual + " " + act;
            Closeness.assertClose(what, got, want, tolerance);
            worst = Math.max(worst, Closeness.relativeError(got, want));
        }
        return worst;
    }

    static float[] uniform(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
