package io.cnnc.kernels.cpu;

import io.cnnc.kernels.ConvGeometry;

/**
 * Unfolds one sample's input into columns {@code [inC/groups * kh * kw, outH * outW]} for one
 * group, so that convolution becomes a matrix product; {@link #col2im} is its adjoint
 * (sums columns back into the input gradient).
 */
public final class Im2col {

    private Im2col() {}

    public static int rows(ConvGeometry g) {
        return g.inC() / g.groups() * g.kernelH() * g.kernelW();
    }

    public static void im2col(float[] x, int xOff, ConvGeometry g, int group, float[] col) {
        int outH = g.outH();
        int outW = g.outW();
        int inPerGroup = g.inC() / g.groups();
        int row = 0;
        for (int c = 0; c < inPerGroup; c++) {
            int plane = xOff + (group * inPerGroup + c) * g.inH() * g.inW();
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++, row++) {
                    int base = row * outH * outW;
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                        int dst = base + oy * outW;
                        if (iy < 0 || iy >= g.inH()) {
                            java.util.Arrays.fill(col, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = plane + iy * g.inW();
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                            col[dst + ox] = ix >= 0 && ix < g.inW() ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
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
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                            if (ix >= 0 && ix < g.inW()) dx[dst + ix] += col[base + oy * outW + ox];
                        }
                    }
                }
            }
        }
    }
}
