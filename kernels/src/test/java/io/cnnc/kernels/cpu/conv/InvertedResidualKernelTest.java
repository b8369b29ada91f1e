package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.reference.ActivationReference;
import io.cnnc.kernels.reference.ConvReference;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class InvertedResidualKernelTest {

    /**
     * The three layers' sums in other orders than the reference's (up to 960 products in the
     * projection): 1e-5 of the output's largest magnitude, as for the layers computed apart.
     */
    private static final double TOLERANCE = 1e-5;

    /** One block: input channels, size, expansion, depthwise kernel and stride, output channels, activations, layouts, batch. */
    record Block(int inC, int h, int w, int expanded, int k, int stride, int outC, ActivationKind act, ActivationKind projectAct,
                 boolean blockedIn, boolean blockedOut, int batch, boolean projected) {

        Block(int inC, int h, int w, int expanded, int k, int stride, int outC, ActivationKind act, ActivationKind projectAct,
              boolean blockedIn, boolean blockedOut, int batch) {
            this(inC, h, w, expanded, k, stride, outC, act, projectAct, blockedIn, blockedOut, batch, true);
        }

        ConvGeometry expand() {
            return new ConvGeometry(inC, h, w, expanded, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        }

        ConvGeometry depthwise() {
            int pad = k / 2;
            return new ConvGeometry(expanded, h, w, expanded, k, k, stride, stride, pad, pad, pad, pad, 1, 1, expanded);
        }

        ConvGeometry project() {
            ConvGeometry d = depthwise();
            return new ConvGeometry(expanded, d.outH(), d.outW(), Math.max(outC, 1), 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        }

        boolean residual() {
            return projected && stride == 1 && inC == outC;
        }
    }

    /**
     * MobileNetV2's blocks: planar 24 -> 144 -> 24 with its residual, the stride-2 16 -> 96 -> 24 on
     * an odd size; blocked ones at 14x14 and 7x7 (one step the whole plane); groups of 4 blocks with
     * a last group of 2 and of 3 (a zero block); rows narrower than a register block; 5x5; ReLU
     * and no activation; two samples. Without a projection (EfficientNet's, with SiLU; hard-swish),
     * planar and blocked. A projection that clamps, into planar output.
     */
    static Stream<Block> blocks() {
        return Stream.of(
                new Block(24, 12, 12, 144, 3, 1, 24, ActivationKind.RELU6, ActivationKind.IDENTITY, false, false, 1),
                new Block(16, 15, 15, 96, 3, 2, 24, ActivationKind.RELU6, ActivationKind.IDENTITY, false, false, 1),
                new Block(64, 14, 14, 384, 3, 1, 64, ActivationKind.RELU6, ActivationKind.IDENTITY, true, true, 1),
                new Block(32, 7, 7, 192, 3, 1, 48, ActivationKind.RELU6, ActivationKind.IDENTITY, true, true, 2),
                new Block(40, 9, 5, 80, 3, 2, 40, ActivationKind.RELU, ActivationKind.IDENTITY, false, false, 1),
                new Block(16, 11, 13, 48, 5, 1, 16, ActivationKind.IDENTITY, ActivationKind.RELU, false, true, 2),
                new Block(32, 10, 10, 64, 3, 1, 24, ActivationKind.RELU6, ActivationKind.IDENTITY, true, false, 1),
                new Block(24, 13, 12, 144, 5, 2, 0, ActivationKind.SILU, ActivationKind.IDENTITY, false, false, 2, false),
                new Block(32, 14, 14, 192, 3, 1, 0, ActivationKind.HARDSWISH, ActivationKind.IDENTITY, true, true, 1, false),
                new Block(16, 9, 9, 96, 3, 1, 16, ActivationKind.SILU, ActivationKind.IDENTITY, false, true, 1),
                // A clamping projection into planar output: after its residual, and with none.
                new Block(24, 9, 10, 64, 3, 1, 24, ActivationKind.RELU6, ActivationKind.RELU, false, false, 1),
                new Block(16, 9, 10, 64, 3, 2, 24, ActivationKind.RELU6, ActivationKind.RELU6, false, false, 1));
    }

    @BeforeAll
    static void needs512BitVectors() {
        assumeTrue(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 16, "512-bit vectors only");
    }

    @ParameterizedTest
    @MethodSource("blocks")
    void matchesTheThreeLayersComputedApart(Block b) {
        for (int threads : new int[] {1, 2}) {
            Outcome o = run(b, threads, 3);
            assertThat(o.maxError()).as("%s on %d thread(s): max |error| against max |reference| %s", b, threads, o.maxReference())
                    .isLessThanOrEqualTo(TOLERANCE * o.maxReference());
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Block b = new Block(24, 20, 20, 144, 3, 1, 24, ActivationKind.RELU6, ActivationKind.IDENTITY, false, false, 2);
        assertThat(run(b, 2, 5).output()).containsExactly(run(b, 1, 5).output());
    }

    @Test
    void refusesWhatItDoesNotCompute() {
        Block b = blocks().findFirst().orElseThrow();
        ConvGeometry threeByThree = new ConvGeometry(24, 12, 12, 144, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(InvertedResidualKernel.computes(threeByThree, b.depthwise(), b.project(), ActivationKind.RELU6, ActivationKind.RELU6,
                ActivationKind.IDENTITY, false, false)).isFalse();
        // Any activation after the expansion and the depthwise layer; the projection only clamps.
        assertThat(InvertedResidualKernel.computes(b.expand(), b.depthwise(), b.project(), ActivationKind.HARDSWISH, ActivationKind.SILU,
                ActivationKind.HARDSWISH, false, false)).isFalse();
        // 24 channels fill 8-channel blocks but not 16-channel ones, where the input cannot be NCHW16c.
        assertThat(InvertedResidualKernel.computes(b.expand(), b.depthwise(), b.project(), ActivationKind.RELU6, ActivationKind.RELU6,
                ActivationKind.IDENTITY, true, false)).isEqualTo(Nchwc.blocks(24));
        assertThat(InvertedResidualKernel.computes(b.expand(), b.depthwise(), b.project(), ActivationKind.RELU6, ActivationKind.RELU6,
                ActivationKind.IDENTITY, false, false)).isTrue();
    }

    record Outcome(double maxError, double maxReference, float[] output) {}

    private static Outcome run(Block b, int threads, long seed) {
        Random r = new Random(seed);
        ConvGeometry e = b.expand(), d = b.depthwise(), p = b.project();
        int batch = b.batch();
        float[] x = uniform(r, batch * e.inC() * e.inH() * e.inW());
        float[] we = uniform(r, e.weightCount()), be = uniform(r, e.outC());
        float[] wd = uniform(r, d.weightCount()), bd = uniform(r, d.outC());
        float[] wp = b.projected() ? uniform(r, p.weightCount()) : null, bp = b.projected() ? uniform(r, p.outC()) : null;

        float[] expanded = layer(x, batch, e, we, be, null, b.act());
        float[] dw = layer(expanded, batch, d, wd, bd, null, b.act());
        float[] want = b.projected() ? layer(dw, batch, p, wp, bp, b.residual() ? x : null, b.projectAct()) : dw;

        InvertedResidualKernel kernel = new InvertedResidualKernel(e, we, Epilogue.of(be, false, b.act(), 0), d, wd, Epilogue.of(bd, false, b.act(), 0),
                b.projected() ? p : null, wp, b.projected() ? Epilogue.of(bp, b.residual(), b.projectAct(), 0) : null, b.blockedIn(), b.blockedOut(),
                Parallel.of(threads));
        int outSpatial = p.inH() * p.inW(), inSpatial = e.inH() * e.inW(), outC = b.projected() ? p.outC() : d.outC();
        float[] in = b.blockedIn() ? blocked(x, batch, e.inC(), inSpatial) : x;
        float[] res = b.residual() ? (b.blockedOut() ? blocked(x, batch, e.inC(), inSpatial) : x) : null;
        float[] y = new float[want.length];
        // Twice: state left behind by the first call (a ring not restarted) shows on the second.
        for (int call = 0; call < 2; call++) {
            Arrays.fill(y, Float.NaN);
            kernel.forward(in, res, y, batch);
        }
        float[] out = y;
        if (b.blockedOut()) {
            out = new float[want.length];
            Nchwc.toPlanar(y, out, batch, outC, outSpatial);
        }
        double err = 0, ref = 0;
        for (int i = 0; i < want.length; i++) {
            double diff = Math.abs((double) out[i] - want[i]);
            err = Math.max(err, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
            ref = Math.max(ref, Math.abs(want[i]));
        }
        return new Outcome(err, ref, out);
    }

    private static float[] layer(float[] x, int batch, ConvGeometry g, float[] w, float[] bias, float[] residual, ActivationKind act) {
        float[] y = new float[batch * g.outC() * g.outH() * g.outW()];
        ConvReference.forward(x, batch, g, w, bias, y);
        for (int i = 0; i < y.length; i++) y[i] = (float) ActivationReference.apply(act, 0, y[i] + (residual != null ? residual[i] : 0f));
        return y;
    }

    private static float[] blocked(float[] x, int batch, int channels, int spatial) {
        float[] y = new float[x.length];
        Nchwc.toBlocked(x, y, batch, channels, spatial);
        return y;
    }

    private static float[] uniform(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
