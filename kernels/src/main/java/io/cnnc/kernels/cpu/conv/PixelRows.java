package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.gemm.PackedGemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The im2col matrix of one group with output pixels on the rows, packed a KC block at a time in
 * the layout {@link PackedGemm#multiplyBlock} reads: panels of MR (8 or 5) pixels, each kc x MR.
 * Reads a zero-padded copy of the input, so no element needs a bounds check: element (pixel p,
 * k = (ci, ky, kx)) is {@code xpad[kOffset[k] + base[p]]}. MR pixels of one output row at
 * stride 1 are MR consecutive floats (one vector load); other panels (row ends, stride 2)
 * take one 8-lane gather per k. With 5-pixel panels an 8-lane vector is stored at every k,
 * its last three lanes overwritten by the next k's; only the panel's last k stores masked
 * (masked stores are microcoded on Zen2), and loads are masked so none reads past the input.
 */
final class PixelRows {

    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final int MR = PackedGemm.MR;
    /** The first MR lanes of an 8-lane vector. */
    private static final VectorMask<Float> PANEL = VectorMask.fromLong(S8, (1L << MR) - 1);

    /** Per k of one group: where its tap starts in the padded input of channel ci. */
    private final int[] kOffset;
    /** Per pixel (rounded up to whole panels, repeating the last): its window's corner in a padded plane. */
    private final int[] base;
    /** Per panel: its eight pixels are consecutive floats of one padded row. */
    private final boolean[] contiguous;

    PixelRows(ConvGeometry g, int paddedH, int paddedW) {
        if (MR > S8.length()) throw new IllegalStateException("PixelRows packs panels of at most 8 rows, PackedGemm.MR is " + MR);
        int inPerGroup = g.inC() / g.groups();
        int kh = g.kernelH(), kw = g.kernelW();
        kOffset = new int[inPerGroup * kh * kw];
        for (int ci = 0, k = 0; ci < inPerGroup; ci++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) kOffset[k++] = ci * paddedH * paddedW + ky * g.dilationH() * paddedW + kx * g.dilationW();
            }
        }
        int hw = g.outH() * g.outW();
        int panels = (hw + MR - 1) / MR;
        // A gather reads 8 indices from a panel's first: slack past the last panel.
        base = new int[panels * MR + S8.length() - MR];
        for (int p = 0; p < base.length; p++) {
            int q = Math.min(p, hw - 1);
            base[p] = q / g.outW() * g.strideH() * paddedW + q % g.outW() * g.strideW();
        }
        contiguous = new boolean[panels];
        for (int i = 0; i < panels; i++) {
            boolean c = true;
            for (int r = 1; r < MR; r++) c &= base[i * MR + r] == base[i * MR] + r && i * MR + r < hw;
            contiguous[i] = c;
        }
    }

    int k() {
        return kOffset.length;
    }

    /**
     * Packs pixels {@code [m0, m0 + rows)} ({@code m0} and {@code rows} multiples of MR) x k
     * {@code [p0, p0 + kc)} of the group whose channels start at {@code xpad[planeOffset]} into
     * {@code dst[dstOff..]}.
     */
    void pack(float[] xpad, int planeOffset, int m0, int rows, int p0, int kc, float[] dst, int dstOff) {
        int last = kc - 1;
        for (int i = m0, d = dstOff; i < m0 + rows; i += MR, d += kc * MR) {
            if (contiguous[i / MR]) {
                int at = planeOffset + base[i];
                for (int kk = 0; kk < last; kk++) load(xpad, at + kOffset[p0 + kk]).intoArray(dst, d + kk * MR);
                storeLast(load(xpad, at + kOffset[p0 + last]), dst, d + last * MR);
            } else {
                for (int kk = 0; kk < last; kk++) {
                    FloatVector.fromArray(S8, xpad, planeOffset + kOffset[p0 + kk], base, i).intoArray(dst, d + kk * MR);
                }
                storeLast(FloatVector.fromArray(S8, xpad, planeOffset + kOffset[p0 + last], base, i), dst, d + last * MR);
            }
        }
    }

    /** MR consecutive floats; masked below 8 so the load never reads past the input. */
    private static FloatVector load(float[] xpad, int at) {
        return MR == 8 ? FloatVector.fromArray(S8, xpad, at) : FloatVector.fromArray(S8, xpad, at, PANEL);
    }

    /** A panel's last k: below 8 pixels its spare lanes would land past the panel, so masked. */
    private static void storeLast(FloatVector v, float[] dst, int at) {
        if (MR == 8) v.intoArray(dst, at);
        else v.intoArray(dst, at, PANEL);
    }
}
