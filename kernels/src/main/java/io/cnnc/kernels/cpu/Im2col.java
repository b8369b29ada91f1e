package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ConvGeometry;

/**
 * Unfolds one sample's input into columns {@code [inC/groups * kh * kw, outH * outW]} for one
 * group, so that convolution becomes a matrix product; {@link #col2im} is its adjoint
 * (sums columns back into the input gradient).
 */
public final class Im2col {

    private Im2col() {}

    /**
     * Output rows narrower than this are written element by element, in a method of their own:
     * for ResNet-20's 8-wide rows, two fills and a copy per row cost 10 times the copying (26.8 ms
     * for the im2col of 64 samples of a 64-channel 8x8 layer, 2.4 element by element); at 16 wide
     * the calls win again.
     */
    private static final int SHORT_ROW = 16;

    public static int rows(ConvGeometry g) {
        return g.inC() / g.groups() * g.kernelH() * g.kernelW();
    }

    public static void im2col(float[] x, int xOff, ConvGeometry g, int group, float[] col) {
        im2col(x, xOff, g, group, col, 0, g.outH() * g.outW());
    }

    /** The same columns written from {@code colOff} with rows {@code ld} apart (several samples side by side). */
    public static void im2col(float[] x, int xOff, ConvGeometry g, int group, float[] col, int colOff, int ld) {
        if (g.outW() < SHORT_ROW) {
            shortRows(x, xOff, g, group, col, colOff, ld);
            return;
        }
        int outH = g.outH();
        int outW = g.outW();
        int inPerGroup = g.inC() / g.groups();
        int row = 0;
        for (int c = 0; c < inPerGroup; c++) {
            int plane = xOff + (group * inPerGroup + c) * g.inH() * g.inW();
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++, row++) {
                    int base = colOff + row * ld;
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                        int dst = base + oy * outW;
                        if (iy < 0 || iy >= g.inH()) {
                            java.util.Arrays.fill(col, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = plane + iy * g.inW();
                        int shift = kx * g.dilationW() - g.padLeft();
                        if (g.strideW() == 1) {
                            // ix = ox + shift: one contiguous run inside the row, zeros either side
                            int lo = Math.max(0, -shift);
                            int hi = Math.min(outW, g.inW() - shift);
                            if (hi <= lo) {
                                java.util.Arrays.fill(col, dst, dst + outW, 0f);
                                continue;
                            }
                            java.util.Arrays.fill(col, dst, dst + lo, 0f);
                            System.arraycopy(x, src + lo + shift, col, dst + lo, hi - lo);
                            java.util.Arrays.fill(col, dst + hi, dst + outW, 0f);
                            continue;
                        }
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * g.strideW() + shift;
                            col[dst + ox] = ix >= 0 && ix < g.inW() ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    private static void shortRows(float[] x, int xOff, ConvGeometry g, int group, float[] col, int colOff, int ld) {
        int outH = g.outH();
        int outW = g.outW();
        int inH = g.inH();
        int inW = g.inW();
        int inPerGroup = g.inC() / g.groups();
        int row = 0;
        for (int c = 0; c < inPerGroup; c++) {
            int plane = xOff + (group * inPerGroup + c) * inH * inW;
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++, row++) {
                    int base = colOff + row * ld;
                    int shift = kx * g.dilationW() - g.padLeft();
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                        int dst = base + oy * outW;
                        boolean inside = iy >= 0 && iy < inH;
                        int src = plane + iy * inW;
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * g.strideW() + shift;
                            col[dst + ox] = inside && ix >= 0 && ix < inW ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    public static void col2im(float[] col, ConvGeometry g, int group, float[] dx, int dxOff) {
        int outH = g.outH();
        int outW = g.outW();
        int inPerGroup = g.inC() / g.groups();
        int row = 0;
        for (int c = 0; c < inPerGroup; c++) {
            int plane = dxOff + (group * inPerGroup + c) * g.inH() * g.inW();
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++, row++) {
                    int base = row * outH * outW;
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                        if (iy < 0 || iy >= g.inH()) continue;
                        int dst = plane + iy * g.inW();
                        int shift = kx * g.dilationW() - g.padLeft();
                        int lo = shift < 0 ? ceilDiv(-shift, g.strideW()) : 0;
                        int hi = Math.min(outW, ceilDiv(g.inW() - shift, g.strideW()));
                        int from = base + oy * outW;
                        for (int ox = lo; ox < hi; ox++) dx[dst + ox * g.strideW() + shift] += col[from + ox];
                    }
                }
            }
        }
    }
}
