package io.cnnc.kernels.cpu;

import io.cnnc.kernels.cpu.gemm.PackedA;
import io.cnnc.kernels.cpu.gemm.PackedGemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A dense (fully connected) layer made ready to run: y[b][o] = sum_i x[b][i] W[o][i] + bias[o],
 * the same as {@link io.cnnc.kernels.reference.DenseReference}. Small batches are
 * matrix-vector products that stream W once per sample, four rows at a time sharing each load
 * of x, rows split across cores; from {@link #GEMM_MIN_BATCH} samples on, W is packed once (on
 * first use, so batch-1 networks never pay its memory) and the batch is one {@link PackedGemm}
 * product C = W x^T [out x batch], which reads W once for all samples. Each output's sum order
 * is fixed by the batch size alone, never by the thread count. Not safe to call from two
 * threads at once (scratch is shared); {@code weight} and {@code bias} are kept, not copied.
 */
public final class FastDense {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of W per matrix-vector step: four accumulators hide the FMA latency. */
    private static final int ROWS = 4;
    /**
     * Below this, streaming W once per sample beats the GEMM, whose tiles are 32 samples wide and
     * mostly padding for a small batch (measured: docs/kernels.md, "Dense").
     */
    public static final int GEMM_MIN_BATCH = 8;
    /** Weights per task at least, so a small layer stays on one core. */
    private static final int MIN_TASK_WEIGHTS = 32_768;

    private final float[] weight;
    private final float[] bias;
    private final int inF;
    private final int outF;
    private final Parallel parallel;
    private PackedA packed;
    private float[] columns = new float[0];

    private FastDense(float[] weight, float[] bias, int inF, int outF, Parallel parallel) {
        this.weight = weight;
        this.bias = bias;
        this.inF = inF;
        this.outF = outF;
        this.parallel = parallel;
    }

    /** weight is [outF, inF] row-major (PyTorch's Linear); bias has outF values or is null. */
    public static FastDense prepare(float[] weight, float[] bias, int inF, int outF, Parallel parallel) {
        if (inF < 1 || outF < 1) throw new IllegalArgumentException("dense needs positive sizes, got " + inF + " -> " + outF);
        if (weight.length < (long) inF * outF) {
            throw new IllegalArgumentException("weight has " + weight.length + " values, " + outF + "x" + inF + " needs " + (long) inF * outF);
        }
        if (bias != null && bias.length < outF) throw new IllegalArgumentException("bias has " + bias.length + " values, needs " + outF);
        return new FastDense(weight, bias, inF, outF, parallel);
    }

    /** x is [batch, inF], y is [batch, outF]. */
    public void forward(float[] x, float[] y, int batch) {
        if (batch >= GEMM_MIN_BATCH) {
            forwardGemm(x, y, batch);
            return;
        }
        int minRows = Math.max(ROWS, MIN_TASK_WEIGHTS / inF);
        for (int n = 0; n < batch; n++) {
            int xOff = n * inF;
            int yOff = n * outF;
            Chunks.forRanges(parallel, outF, minRows, ROWS, (r0, r1) -> rows(x, xOff, y, yOff, r0, r1));
        }
    }

    private void forwardGemm(float[] x, float[] y, int batch) {
        if (packed == null) packed = PackedA.of(weight, 0, outF, inF, inF);
        if (columns.length < outF * batch) columns = new float[outF * batch];
        float[] c = columns;
        PackedGemm.multiply(packed, new SampleColumns(x, inF, batch), c, 0, batch, false, parallel);
        Chunks.forRanges(parallel, outF, Math.max(1, 16_384 / batch), 1, (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                float b = bias == null ? 0f : bias[o];
                for (int n = 0; n < batch; n++) y[n * outF + o] = c[o * batch + n] + b;
            }
        });
    }

    /** y[yOff + r] for rows [r0, r1); r0 is a multiple of ROWS, so a row's sum order never depends on the split. */
    private void rows(float[] x, int xOff, float[] y, int yOff, int r0, int r1) {
        float[] w = weight;
        int bound = S.loopBound(inF);
        int r = r0;
        for (; r + ROWS <= r1; r += ROWS) {
            int w0 = r * inF, w1 = w0 + inF, w2 = w1 + inF, w3 = w2 + inF;
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            for (int i = 0; i < bound; i += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
                a0 = FloatVector.fromArray(S, w, w0 + i).fma(xv, a0);
                a1 = FloatVector.fromArray(S, w, w1 + i).fma(xv, a1);
                a2 = FloatVector.fromArray(S, w, w2 + i).fma(xv, a2);
                a3 = FloatVector.fromArray(S, w, w3 + i).fma(xv, a3);
            }
            float s0 = LaneSum.sum(a0), s1 = LaneSum.sum(a1), s2 = LaneSum.sum(a2), s3 = LaneSum.sum(a3);
            for (int i = bound; i < inF; i++) {
                float xi = x[xOff + i];
                s0 += w[w0 + i] * xi;
                s1 += w[w1 + i] * xi;
                s2 += w[w2 + i] * xi;
                s3 += w[w3 + i] * xi;
            }
            y[yOff + r] = s0 + biasAt(r);
            y[yOff + r + 1] = s1 + biasAt(r + 1);
            y[yOff + r + 2] = s2 + biasAt(r + 2);
            y[yOff + r + 3] = s3 + biasAt(r + 3);
        }
        for (; r < r1; r++) {
            int w0 = r * inF;
            FloatVector a0 = FloatVector.zero(S);
            for (int i = 0; i < bound; i += L) a0 = FloatVector.fromArray(S, w, w0 + i).fma(FloatVector.fromArray(S, x, xOff + i), a0);
            float s0 = LaneSum.sum(a0);
            for (int i = bound; i < inF; i++) s0 += w[w0 + i] * x[xOff + i];
            y[yOff + r] = s0 + biasAt(r);
        }
    }

    private float biasAt(int o) {
        return bias == null ? 0f : bias[o];
    }
}
