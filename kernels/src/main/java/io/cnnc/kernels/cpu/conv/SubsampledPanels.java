package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.gemm.BPanels;
import io.cnnc.kernels.cpu.gemm.PackedGemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The B matrix of an unpadded 1x1 conv with a stride, [inC/groups, outH * outW], gathered from
 * the input straight into GEMM panels: row p is input channel p, column j output pixel (oy, ox),
 * read at input (oy*sh, ox*sw). ResNet's downsampling shortcuts are such convs; gathered here,
 * they run at the speed of a stride-1 1x1 rather than paying for an im2col or a phase split of
 * the whole input (docs/kernels.md, "im2col + GEMM, 1x1").
 *
 * <p>Stride 2 gathers 16 columns with two loads and one two-vector shuffle (vpermt2ps). Stores
 * are whole vectors: lanes past a run of one output row land on later columns of the same panel
 * row or on later panel rows, all written afterwards in packing order, so only the panel's very
 * last vector, which could pass the buffer's end, is copied element by element.
 */
final class SubsampledPanels implements BPanels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** The even lanes of a, then those of b, for {@code a.rearrange(EVENS, b)}. */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(S, i -> 2 * i < L ? 2 * i : 2 * i - 2 * L);

    private final float[] x;
    private final int off, k, outW, n, inW, inPlane, sh, sw;

    /** The sample group whose input planes start at {@code x[off]}. */
    SubsampledPanels(ConvGeometry g, float[] x, int off) {
        this.x = x;
        this.off = off;
        this.k = g.inC() / g.groups();
        this.outW = g.outW();
        this.n = g.outH() * outW;
        this.inW = g.inW();
        this.inPlane = g.inH() * inW;
        this.sh = g.strideH();
        this.sw = g.strideW();
    }

    public int k() {
        return k;
    }

    public int n() {
        return n;
    }

    public void pack(int p0, int kc, int j0, int nc, float[] dst, int dstOff) {
        int nr = PackedGemm.NR;
        for (int q = 0; q * nr < nc; q++) {
            int first = j0 + q * nr;
            int cols = Math.min(nr, nc - q * nr);
            int base = dstOff + q * kc * nr;
            int plane0 = off + p0 * inPlane;
            // Runs of columns within one output row, each gathered down all kc rows of the panel.
            for (int j = first; j < first + cols; ) {
                int oy = j / outW, ox = j % outW;
                int run = Math.min(outW - ox, first + cols - j);
                int src = plane0 + oy * sh * inW + ox * sw;
                int at = base + j - first;
                for (int p = 0; p < kc; p++) gather(src + p * inPlane, dst, at + p * nr, run, nr - (j - first));
                j += run;
            }
            if (cols < nr) {
                for (int p = 0; p < kc; p++) java.util.Arrays.fill(dst, base + p * nr + cols, base + p * nr + nr, 0f);
            }
        }
    }

    /**
     * {@code len} inputs sw apart from {@code x[src]} into {@code dst[at..]}, whose panel row has
     * {@code room} floats left from {@code at}.
     */
    private void gather(int src, float[] dst, int at, int len, int room) {
        int i = 0;
        if (sw == 2) {
            for (; i < len; i += L) {
                int from = src + 2 * i;
                if (from + 2 * L > x.length) break;
                FloatVector v = FloatVector.fromArray(S, x, from).rearrange(EVENS, FloatVector.fromArray(S, x, from + L));
                if (i + L <= room) v.intoArray(dst, at + i);
                else v.intoArray(dst, at + i, S.indexInRange(i, len));
            }
        }
        for (; i < len; i++) dst[at + i] = x[src + i * sw];
    }
}
