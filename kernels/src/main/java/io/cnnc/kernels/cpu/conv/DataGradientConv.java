package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;

/**
 * The data gradient of a stride-1, undilated convolution is itself a convolution: of dy, with
 * the filter flipped in H and W and its input and output channels swapped (within each group),
 * padded by kernel - 1 - pad on each side. So every forward strategy computes it too, instead of
 * a transposed GEMM and col2im.
 */
public final class DataGradientConv {

    private DataGradientConv() {}

    /** Whether {@code g}'s data gradient is a convolution of dy: stride 1, no dilation, each pad at most kernel - 1. */
    public static boolean applies(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.dilationH() == 1 && g.dilationW() == 1
                && g.padTop() < g.kernelH() && g.padBottom() < g.kernelH() && g.padLeft() < g.kernelW() && g.padRight() < g.kernelW();
    }

    /** The convolution from dy ([outC, outH, outW]) to dx ([inC, inH, inW]). */
    public static ConvGeometry geometry(ConvGeometry g) {
        if (!applies(g)) throw new IllegalArgumentException("the data gradient of " + g + " is not a stride-1 convolution");
        return new ConvGeometry(g.outC(), g.outH(), g.outW(), g.inC(), g.kernelH(), g.kernelW(), 1, 1,
                g.kernelH() - 1 - g.padTop(), g.kernelW() - 1 - g.padLeft(), g.kernelH() - 1 - g.padBottom(), g.kernelW() - 1 - g.padRight(),
                1, 1, g.groups());
    }

    /**
     * The data-gradient filter, [inC, outC/groups, kH, kW], from the forward one,
     * [outC, inC/groups, kH, kW]: w'[i][o][kh-1-y][kw-1-x] = w[o][i][y][x] within each group.
     */
    public static float[] filter(ConvGeometry g, float[] w) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int outPerGroup = g.outC() / g.groups();
        int inPerGroup = g.inC() / g.groups();
        int k = kh * kw;
        float[] t = new float[w.length];
        for (int o = 0; o < g.outC(); o++) {
            int grp = o / outPerGroup;
            int local = o - grp * outPerGroup;
            for (int i = 0; i < inPerGroup; i++) {
                int src = (o * inPerGroup + i) * k;
                int dst = ((grp * inPerGroup + i) * outPerGroup + local) * k;
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) t[dst + (kh - 1 - y) * kw + (kw - 1 - x)] = w[src + y * kw + x];
                }
            }
        }
        return t;
    }
}
