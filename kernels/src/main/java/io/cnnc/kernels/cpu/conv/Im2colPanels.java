package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.gemm.BPanels;
import io.cnnc.kernels.cpu.gemm.PackedGemm;

/**
 * The im2col matrix of one sample and one group, [inC/groups * kH * kW, outH * outW], packed
 * straight from the input into GEMM panels: the column matrix itself is never written, which
 * saves kH*kW times the input's size in memory traffic. Row p is (channel, ky, kx); column j is
 * (oy, ox).
 */
final class Im2colPanels implements BPanels {

    private final ConvGeometry g;
    private final int outW;
    private final int n;
    private final int k;
    private float[] x;
    private int xOff;

    Im2colPanels(ConvGeometry g) {
        this.g = g;
        this.outW = g.outW();
        this.n = g.outH() * outW;
        this.k = g.inC() / g.groups() * g.kernelH() * g.kernelW();
    }

    /** Points the panels at the input planes of one sample's group, starting at {@code x[off]}. */
    Im2colPanels source(float[] x, int off) {
        this.x = x;
        this.xOff = off;
        return this;
    }

    public int k() {
        return k;
    }

    public int n() {
        return n;
    }

    public void pack(int p0, int kc, int j0, int nc, float[] dst) {
        int nr = PackedGemm.NR;
        int taps = g.kernelH() * g.kernelW();
        int inH = g.inH(), inW = g.inW();
        for (int p = 0; p < kc; p++) {
            int row = p0 + p;
            int c = row / taps;
            int ky = row % taps / g.kernelW();
            int kx = row % g.kernelW();
            int plane = xOff + c * inH * inW;
            int shift = kx * g.dilationW() - g.padLeft();
            // Walk the columns in runs that stay within one output row and one panel.
            int j = j0;
            int end = j0 + nc;
            while (j < end) {
                int oy = j / outW;
                int ox = j - oy * outW;
                int q = (j - j0) / nr;
                int jj = (j - j0) - q * nr;
                int run = Math.min(Math.min(outW - ox, nr - jj), end - j);
                int d = q * kc * nr + p * nr + jj;
                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                if (iy < 0 || iy >= inH) {
                    java.util.Arrays.fill(dst, d, d + run, 0f);
                } else {
                    int src = plane + iy * inW;
                    if (g.strideW() == 1) {
                        // ix = ox + shift: copy the part inside the row, zeros either side.
                        int lo = Math.max(ox, -shift);
                        int hi = Math.min(ox + run, inW - shift);
                        if (hi <= lo) {
                            java.util.Arrays.fill(dst, d, d + run, 0f);
                        } else {
                            java.util.Arrays.fill(dst, d, d + lo - ox, 0f);
                            System.arraycopy(x, src + lo + shift, dst, d + lo - ox, hi - lo);
                            java.util.Arrays.fill(dst, d + hi - ox, d + run, 0f);
                        }
                    } else {
                        int sw = g.strideW();
                        for (int t = 0; t < run; t++) {
                            int ix = (ox + t) * sw + shift;
                            dst[d + t] = ix >= 0 && ix < inW ? x[src + ix] : 0f;
                        }
                    }
                }
                j += run;
            }
        }
        // Columns past the end of the last panel are zero, so the microkernel's extra lanes add nothing.
        int tail = nc % nr;
        if (tail != 0) {
            int base = (nc / nr) * kc * nr;
            for (int p = 0; p < kc; p++) java.util.Arrays.fill(dst, base + p * nr + tail, base + (p + 1) * nr, 0f);
        }
    }
}
