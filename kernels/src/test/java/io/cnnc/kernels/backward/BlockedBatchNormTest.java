package io.cnnc.kernels.backward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.reference.BatchNormReference;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batch norm on NCHWc tensors against the planar training kernels (BatchNormTrainingTest checks
 * those against double formulas): the forward's output, saved statistics and running ones, its
 * recompute bit for bit, the backward's three gradients with a folded ReLU or ReLU6, the
 * evaluating forward against the reference, and a frozen layer's backward. Activations sit far
 * above their spread (mean 40, spread 1) so that a blocked form summing without its pivot would
 * fail. Planes of 70 pixels: not a whole number of the blocked sums' chunks.
 */
class BlockedBatchNormTest {

    private static final int B = Nchwc.BLOCK;

    @ParameterizedTest
    @CsvSource({"false, Infinity", "true, Infinity", "true, 6"})
    void agreesWithThePlanarKernels(boolean relu, float ceiling) {
        int batch = 5;
        int channels = 2 * B;
        int spatial = 70;
        Random r = new Random(3);
        float[] x = new float[batch * channels * spatial];
        for (int i = 0; i < x.length; i++) x[i] = 40 + (float) r.nextGaussian() + (relu ? -40 : 0);
        float[] gamma = uniform(r, channels, 0.5f, 1.5f);
        float[] beta = uniform(r, channels, -0.5f, 0.5f);
        float[] rm = uniform(r, channels, -1, 1);
        float[] rv = uniform(r, channels, 0.5f, 2);
        float[] rmb = rm.clone();
        float[] rvb = rv.clone();
        float[] y = new float[x.length];
        BatchNormTraining.Saved saved = saved(channels);
        BatchNormTraining.forward(x, batch, channels, spatial, gamma, beta, rm, rv, 1e-5, 0.1, y, saved, relu, ceiling);
        float[] xb = blocked(x, batch, channels, spatial);
        float[] yb = new float[x.length];
        BatchNormTraining.Saved savedB = saved(channels);
        BlockedBatchNorm.forward(xb, batch, channels, spatial, gamma, beta, rmb, rvb, 1e-5, 0.1, yb, savedB, relu, ceiling);
        assertClose(planar(yb, batch, channels, spatial), y, 1e-6, "output");
        // Against the mean's magnitude or the spread (1), whichever is larger: a mean near 0 has no relative precision to keep.
        // A blocked lane sums up to 64 of a plane's pixels in sequence, the planar lanes a few each: 1.1e-7 measured (Xeon).
        assertClose(savedB.mean(), saved.mean(), 5e-7, "mean", 1);
        assertClose(savedB.invStd(), saved.invStd(), 1e-6, "1/std");
        assertClose(rmb, rm, 1e-7, "running mean");
        assertClose(rvb, rv, 1e-6, "running variance");

        float[] again = new float[x.length];
        BlockedBatchNorm.recompute(xb, batch, channels, spatial, savedB.mean(), savedB.meanLow(), savedB.scale(), beta, again, relu, ceiling);
        assertThat(again).as("recomputed bit for bit").containsExactly(yb);

        float[] dy = uniform(r, x.length, -1, 1);
        float[] dx = new float[x.length];
        float[] dg = new float[channels];
        float[] dbt = new float[channels];
        float[] mask = relu ? y : null;
        BatchNormTraining.backward(x, dy, mask, ceiling, batch, channels, spatial, gamma, saved.mean(), saved.invStd(), dx, dg, dbt);
        float[] dxb = new float[x.length];
        float[] dgb = new float[channels];
        float[] dbb = new float[channels];
        BlockedBatchNorm.backward(xb, blocked(dy, batch, channels, spatial), relu ? yb : null, ceiling, batch, channels, spatial, gamma,
                savedB.mean(), savedB.invStd(), dxb, dgb, dbb);
        assertClose(planar(dxb, batch, channels, spatial), dx, 2e-6, "dx");
        assertClose(dgb, dg, 1e-6, "dgamma");
        assertClose(dbb, dbt, 1e-6, "dbeta");

        float[] eval = new float[x.length];
        BatchNormReference.forward(x, batch, channels, spatial, gamma, beta, rm, rv, 1e-5, eval);
        if (relu) for (int i = 0; i < eval.length; i++) eval[i] = Math.min(Math.max(eval[i], 0f), ceiling);
        float[] evalB = new float[x.length];
        BlockedBatchNorm.evaluate(xb, batch, channels, spatial, gamma, beta, rm, rv, 1e-5, evalB, relu, ceiling);
        assertClose(planar(evalB, batch, channels, spatial), eval, 1e-6, "evaluating forward");

        float[] fdx = new float[x.length];
        float[] fdg = new float[channels];
        float[] fdb = new float[channels];
        BatchNormTraining.backwardFrozen(x, dy, batch, channels, spatial, gamma, rm, rv, 1e-5, fdx, fdg, fdb);
        float[] fdxb = new float[x.length];
        float[] fdgb = new float[channels];
        float[] fdbb = new float[channels];
        BlockedBatchNorm.backwardFrozen(xb, blocked(dy, batch, channels, spatial), batch, channels, spatial, gamma, rm, rv, 1e-5, fdxb, fdgb, fdbb);
        assertThat(planar(fdxb, batch, channels, spatial)).as("frozen dx").containsExactly(fdx);
        assertClose(fdgb, fdg, 1e-5, "frozen dgamma");
        assertClose(fdbb, fdb, 1e-5, "frozen dbeta");
    }

    private static BatchNormTraining.Saved saved(int c) {
        return new BatchNormTraining.Saved(new float[c], new float[c], new float[c], new float[c]);
    }

    private static float[] blocked(float[] a, int batch, int channels, int spatial) {
        float[] out = new float[a.length];
        Nchwc.toBlocked(a, out, batch, channels, spatial);
        return out;
    }

    private static float[] planar(float[] a, int batch, int channels, int spatial) {
        float[] out = new float[a.length];
        Nchwc.toPlanar(a, out, batch, channels, spatial);
        return out;
    }

    private static float[] uniform(Random r, int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + r.nextFloat() * (hi - lo);
        return a;
    }

    private static void assertClose(float[] a, float[] b, double relative, String what) {
        assertClose(a, b, relative, what, 0);
    }

    private static void assertClose(float[] a, float[] b, double relative, String what, double least) {
        double worst = 0;
        double scale = least;
        for (int i = 0; i < b.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        assertThat(worst).as(what + ": max |err| against max |ref| " + scale).isLessThanOrEqualTo(relative * scale);
    }
}
