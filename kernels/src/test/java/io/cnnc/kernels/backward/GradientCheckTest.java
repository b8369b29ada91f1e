package io.cnnc.kernels.backward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.cpu.Im2colConv;
import io.cnnc.kernels.reference.*;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every backward kernel against central finite differences of its forward reference kernel.
 * The loss is L = sum(y * r) for a fixed random r, so dL/dy = r. Forward kernels accumulate in
 * double but return float32; with step h = 1e-2 on O(1) inputs the rounding error of a
 * difference quotient is about 1e-7 * |L| / h, so analytic and numeric gradients must agree to
 * 2e-3 relative (plus 2e-3 absolute for near-zero entries). A wrong index or formula is off by O(1).
 */
class GradientCheckTest {

    private static final double H = 1e-2;
    private final Random random = new Random(42);

    private float[] randn(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) random.nextGaussian();
        return a;
    }

    /** Forward as a function of the array being perturbed, writing y. */
    private static double loss(Consumer<float[]> forward, float[] y, float[] r) {
        forward.accept(y);
        double l = 0;
        for (int i = 0; i < y.length; i++) l += (double) y[i] * r[i];
        return l;
    }

    /** Compares analytic with numeric gradients of up to 40 entries of {@code param}. */
    private void check(String what, float[] param, float[] analytic, int outSize, float[] r, Consumer<float[]> forward) {
        float[] y = new float[outSize];
        int step = Math.max(1, param.length / 40);
        for (int i = 0; i < param.length; i += step) {
            float saved = param[i];
            param[i] = (float) (saved + H);
            double plus = loss(forward, y, r);
            param[i] = (float) (saved - H);
            double minus = loss(forward, y, r);
            param[i] = saved;
            double numeric = (plus - minus) / (2 * H);
            assertThat((double) analytic[i]).as("%s[%d]", what, i).isCloseTo(numeric,
                    org.assertj.core.data.Offset.offset(2e-3 + 2e-3 * Math.abs(numeric)));
        }
    }

    @Test
    void convolutionWithStridePaddingDilationGroups() {
        ConvGeometry g = new ConvGeometry(4, 7, 6, 6, 3, 2, 2, 1, 1, 0, 2, 1, 1, 2, 2);
        int batch = 2;
        float[] x = randn(batch * 4 * 7 * 6);
        float[] w = randn(6 * 2 * 3 * 2);
        float[] b = randn(6);
        int out = batch * 6 * g.outH() * g.outW();
        float[] r = randn(out);
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        float[] db = new float[b.length];
        Im2colConv.backward(x, r, batch, g, w, dx, dw, db);
        Consumer<float[]> f = y -> ConvReference.forward(x, batch, g, w, b, y);
        check("dx", x, dx, out, r, f);
        check("dw", w, dw, out, r, f);
        check("db", b, db, out, r, f);
        float[] fast = new float[out];
        float[] ref = new float[out];
        Im2colConv.forward(x, batch, g, w, b, fast);
        ConvReference.forward(x, batch, g, w, b, ref);
        for (int i = 0; i < out; i++) assertThat(fast[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void convolutionWithStrideTwoInBothDirectionsAndAsymmetricPadding() {
        ConvGeometry g = new ConvGeometry(3, 9, 8, 4, 3, 3, 2, 2, 1, 2, 0, 1, 1, 1, 1);
        float[] x = randn(2 * 3 * 72);
        float[] w = randn(4 * 3 * 9);
        int out = 2 * 4 * g.outH() * g.outW();
        float[] r = randn(out);
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        Im2colConv.backward(x, r, 2, g, w, dx, dw, null);
        Consumer<float[]> f = y -> ConvReference.forward(x, 2, g, w, null, y);
        check("dx", x, dx, out, r, f);
        check("dw", w, dw, out, r, f);
    }

    @Test
    void depthwiseConvolution() {
        ConvGeometry g = new ConvGeometry(3, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3);
        float[] x = randn(3 * 25);
        float[] w = randn(6 * 9);
        int out = 6 * 25;
        float[] r = randn(out);
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        Im2colConv.backward(x, r, 1, g, w, dx, dw, null);
        Consumer<float[]> f = y -> ConvReference.forward(x, 1, g, w, null, y);
        check("dx", x, dx, out, r, f);
        check("dw", w, dw, out, r, f);
    }

    @Test
    void dense() {
        float[] x = randn(3 * 7);
        float[] w = randn(5 * 7);
        float[] b = randn(5);
        float[] r = randn(15);
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        float[] db = new float[b.length];
        DenseBackward.backward(x, r, 3, 7, 5, w, dx, dw, db);
        Consumer<float[]> f = y -> DenseReference.forward(x, 3, 7, 5, w, b, y);
        check("dx", x, dx, 15, r, f);
        check("dw", w, dw, 15, r, f);
        check("db", b, db, 15, r, f);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void batchNormInTrainingMode(boolean relu) {
        int batch = 3, c = 4, hw = 5;
        float[] x = randn(batch * c * hw);
        float[] gamma = randn(c);
        float[] beta = randn(c);
        float[] r = randn(x.length);
        float[] mean = new float[c];
        float[] inv = new float[c];
        float[] out = new float[x.length];
        BatchNormTraining.forward(x, batch, c, hw, gamma, beta, new float[c], new float[c], 1e-5, 0.1, out, mean, inv, relu);
        float[] dx = new float[x.length];
        float[] dg = new float[c];
        float[] dbeta = new float[c];
        // With the ReLU fused in, the loss is r . relu(bn(x)) and the backward masks r by the output.
        BatchNormTraining.backward(x, r, relu ? out : null, batch, c, hw, gamma, mean, inv, dx, dg, dbeta);
        Consumer<float[]> f = y -> BatchNormTraining.forward(x, batch, c, hw, gamma, beta, new float[c], new float[c], 1e-5, 0.1,
                y, new float[c], new float[c], relu);
        check("dx", x, dx, x.length, r, f);
        check("dgamma", gamma, dg, x.length, r, f);
        check("dbeta", beta, dbeta, x.length, r, f);
    }

    @Test
    void batchNormRunningStatisticsFollowPyTorch() {
        float[] x = {1, 3, 5, 7};
        float[] rm = {0};
        float[] rv = {1};
        BatchNormTraining.forward(x, 4, 1, 1, new float[] {1}, new float[] {0}, rm, rv, 0, 0.1, new float[4], new float[1], new float[1], false);
        // mean 4, unbiased variance 20/3: running = 0.9*old + 0.1*new.
        assertThat(rm[0]).isCloseTo(0.4f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(rv[0]).isCloseTo(0.9f + 0.1f * 20 / 3, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void layerNormAndScale() {
        int batch = 2, c = 5, hw = 3;
        float[] x = randn(batch * c * hw);
        float[] gamma = randn(c);
        float[] beta = randn(c);
        float[] r = randn(x.length);
        float[] dx = new float[x.length];
        float[] dg = new float[c];
        float[] db = new float[c];
        LayerNormBackward.backward(x, r, batch, c, hw, gamma, 1e-6, dx, dg, db);
        Consumer<float[]> f = y -> LayerNormReference.forward(x, batch, c, hw, gamma, beta, 1e-6, y);
        check("dx", x, dx, x.length, r, f);
        check("dgamma", gamma, dg, x.length, r, f);
        check("dbeta", beta, db, x.length, r, f);
        float[] sdx = new float[x.length];
        float[] sdw = new float[c];
        ScaleBackward.backward(x, r, batch, c, hw, gamma, sdx, sdw);
        Consumer<float[]> s = y -> ScaleReference.forward(x, batch, c, hw, gamma, y);
        check("scale dx", x, sdx, x.length, r, s);
        check("scale dw", gamma, sdw, x.length, r, s);
        float[] hdx = new float[x.length];
        float[] hdb = new float[c];
        ShiftReference.backward(r, batch, c, hw, hdx, hdb);
        Consumer<float[]> h = y -> ShiftReference.forward(x, batch, c, hw, beta, y);
        check("shift dx", x, hdx, x.length, r, h);
        check("shift db", beta, hdb, x.length, r, h);
    }

    @Test
    void pooling() {
        PoolGeometry g = new PoolGeometry(2, 7, 6, 3, 2, 2, 2, 1, 1, 1, 1, true);
        int batch = 2;
        float[] x = randn(batch * 2 * 42);
        int out = batch * 2 * g.outH() * g.outW();
        float[] r = randn(out);
        float[] dx = new float[x.length];
        PoolBackward.average(r, batch, g, dx);
        check("avg", x, dx, out, r, y -> AvgPoolReference.forward(x, batch, g, y));
        PoolGeometry m = new PoolGeometry(2, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, false);
        int mout = batch * 2 * m.outH() * m.outW();
        float[] mr = randn(mout);
        float[] mdx = new float[x.length];
        PoolBackward.max(x, mr, batch, m, mdx);
        check("max", x, mdx, mout, mr, y -> MaxPoolReference.forward(x, batch, m, y));
        // Without padding every window lies inside: the backward's unchecked path, overlapping (3x3 stride 2) and not (2x2).
        for (PoolGeometry in : new PoolGeometry[] {new PoolGeometry(2, 7, 6, 3, 3, 2, 2, 0, 0, 0, 0, false),
                new PoolGeometry(2, 7, 6, 2, 2, 2, 2, 0, 0, 0, 0, false)}) {
            float[] ir = randn(batch * 2 * in.outH() * in.outW());
            float[] idx = new float[x.length];
            PoolBackward.max(x, ir, batch, in, idx);
            check("max inside", x, idx, ir.length, ir, y -> MaxPoolReference.forward(x, batch, in, y));
        }
        float[] gr = randn(batch * 2);
        float[] gdx = new float[x.length];
        PoolBackward.globalAverage(gr, batch, 2, 42, gdx);
        check("gap", x, gdx, batch * 2, gr, y -> GlobalPoolReference.average(x, batch, 2, 42, y));
        PoolBackward.globalMax(x, gr, batch, 2, 42, gdx);
        check("globalmax", x, gdx, batch * 2, gr, y -> GlobalPoolReference.max(x, batch, 2, 42, y));
        float[] ar = randn(batch * 2 * 3 * 4);
        float[] adx = new float[x.length];
        PoolBackward.adaptiveAverage(ar, batch, 2, 7, 6, 3, 4, adx);
        check("adaptive", x, adx, ar.length, ar, y -> AdaptiveAvgPoolReference.forward(x, batch, 2, 7, 6, 3, 4, y));
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void activations(ActivationKind kind) {
        float[] x = randn(60);
        for (int i = 0; i < x.length; i++) x[i] *= 3; // reach relu6's and hardswish's outer pieces
        for (int i = 0; i < x.length; i++) {
            // keep clear of kinks, where the derivative is not defined and differences straddle it
            for (double kink : new double[] {0, 6, -3, 3}) if (Math.abs(x[i] - kink) < 2 * H) x[i] += 0.1f;
        }
        float[] r = randn(60);
        float[] dx = new float[60];
        ActivationBackward.backward(kind, 0.1, x, r, dx);
        check(kind.name(), x, dx, 60, r, y -> ActivationReference.forward(kind, 0.1, x, y));
    }

    @Test
    void softmaxMulConcat() {
        int batch = 2, c = 4, hw = 3;
        float[] x = randn(batch * c * hw);
        float[] r = randn(x.length);
        float[] y = new float[x.length];
        SoftmaxReference.channels(x, batch, c, hw, y);
        float[] dx = new float[x.length];
        SoftmaxBackward.backward(y, r, batch, c, hw, dx);
        check("softmax", x, dx, x.length, r, out -> SoftmaxReference.channels(x, batch, c, hw, out));

        float[] b = randn(batch * c);
        float[] da = new float[x.length];
        float[] dbv = new float[b.length];
        MergeBackward.mul(x, b, r, batch, c, hw, true, da, dbv);
        check("mul a", x, da, x.length, r, out -> MulReference.forward(x, b, batch, c, hw, true, out));
        check("mul b", b, dbv, x.length, r, out -> MulReference.forward(x, b, batch, c, hw, true, out));

        float[] p = randn(batch * 1 * hw);
        float[] q = randn(batch * 3 * hw);
        float[] cr = randn(batch * 4 * hw);
        float[] dp = new float[p.length];
        float[] dq = new float[q.length];
        MergeBackward.concat(cr, new int[] {1, 3}, batch, hw, new float[][] {dp, dq});
        check("concat 0", p, dp, cr.length, cr, out -> ConcatReference.channels(new float[][] {p, q}, new int[] {1, 3}, batch, hw, out));
        check("concat 1", q, dq, cr.length, cr, out -> ConcatReference.channels(new float[][] {p, q}, new int[] {1, 3}, batch, hw, out));
    }

    @Test
    void crossEntropyWithLabelSmoothing() {
        int batch = 3, classes = 5;
        float[] logits = randn(batch * classes);
        int[] labels = {0, 3, 4};
        float[] grad = new float[logits.length];
        SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, 0.1, grad, null);
        for (int i = 0; i < logits.length; i++) {
            float saved = logits[i];
            logits[i] = (float) (saved + H);
            double plus = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, 0.1, null, null);
            logits[i] = (float) (saved - H);
            double minus = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, 0.1, null, null);
            logits[i] = saved;
            assertThat((double) grad[i]).isCloseTo((plus - minus) / (2 * H), org.assertj.core.data.Offset.offset(1e-4));
        }
        // Uniform logits: loss = log K whatever the smoothing.
        double l = SoftmaxCrossEntropy.lossAndGradient(new float[5], new int[] {2}, 1, 5, 0.3, null, null);
        assertThat(l).isCloseTo(Math.log(5), org.assertj.core.data.Offset.offset(1e-12));
    }
}
