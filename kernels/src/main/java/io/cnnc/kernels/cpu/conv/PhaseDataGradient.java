package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Workers;
import java.util.ArrayList;
import java.util.List;

/**
 * The data gradient of a strided convolution as stride-1 convolutions of dy, one per phase of
 * dx: the positions (s*I + py, s*J + px) receive exactly the taps k with k = (p + pad) mod s + s*j,
 * so each phase is a convolution of dy with those taps, flipped, its channels swapped, and its
 * output interleaved into dx. Every forward strategy then computes it, instead of a transposed
 * GEMM and col2im over every tap and position (ResNet-20's stride-2 layers: about 64 GFLOP/s).
 * A phase no tap reaches (a 1x1 kernel at stride 2) is zero.
 */
public final class PhaseDataGradient {

    /**
     * One phase: its position offset in dx, the first tap and tap count per axis, and the stride-1
     * convolution from dy to the phase's positions ({@code geometry}, null where no tap reaches it).
     */
    public record Phase(int py, int px, int firstTapH, int tapsH, int firstTapW, int tapsW, int outH, int outW, ConvGeometry geometry) {}

    private PhaseDataGradient() {}

    /** Whether the phases compute {@code g}'s data gradient: strided, undilated, every phase's convolution padded by at least 0. */
    public static boolean applies(ConvGeometry g) {
        if (g.strideH() == 1 && g.strideW() == 1 || g.dilationH() != 1 || g.dilationW() != 1) return false;
        for (int py = 0; py < g.strideH(); py++) {
            for (int px = 0; px < g.strideW(); px++) {
                if (axis(g.kernelH(), g.strideH(), g.padTop(), py, g.inH(), g.outH()) == null) return false;
                if (axis(g.kernelW(), g.strideW(), g.padLeft(), px, g.inW(), g.outW()) == null) return false;
            }
        }
        return true;
    }

    /** The strideH x strideW phases of {@code g}'s data gradient, row-major. */
    public static List<Phase> phases(ConvGeometry g) {
        if (!applies(g)) throw new IllegalArgumentException("the data gradient of " + g + " is not computed by phases");
        List<Phase> out = new ArrayList<>();
        for (int py = 0; py < g.strideH(); py++) {
            for (int px = 0; px < g.strideW(); px++) {
                int[] h = axis(g.kernelH(), g.strideH(), g.padTop(), py, g.inH(), g.outH());
                int[] w = axis(g.kernelW(), g.strideW(), g.padLeft(), px, g.inW(), g.outW());
                ConvGeometry c = h[1] == 0 || w[1] == 0 || h[4] == 0 || w[4] == 0 ? null
                        : new ConvGeometry(g.outC(), g.outH(), g.outW(), g.inC(), h[1], w[1], 1, 1, h[2], w[2], h[3], w[3], 1, 1, g.groups());
                out.add(new Phase(py, px, h[0], h[1], w[0], w[1], h[4], w[4], c));
            }
        }
        return out;
    }

    /**
     * One axis of phase p: {first tap, taps, pad before, pad after, positions}, or null where the
     * stride-1 convolution would need a negative pad. Position i = s*I + p takes tap k where
     * k = first + s*j, from dy at I + c - j, c = (p + pad - first) / s: a correlation of dy with
     * the taps reversed, padded by taps - 1 - c before.
     */
    private static int[] axis(int kernel, int stride, int pad, int p, int in, int out) {
        int first = Math.floorMod(p + pad, stride);
        int taps = first >= kernel ? 0 : (kernel - first + stride - 1) / stride;
        int positions = p >= in ? 0 : (in - p + stride - 1) / stride;
        if (taps == 0 || positions == 0) return new int[] {first, 0, 0, 0, positions};
        int c = (p + pad - first) / stride;
        int before = taps - 1 - c;
        int after = positions - out - before + taps - 1;
        if (before < 0 || after < 0) return null;
        return new int[] {first, taps, before, after, positions};
    }

    /** The phase's filter, [inC, outC/groups, tapsH, tapsW], from the forward one [outC, inC/groups, kH, kW]: its taps, flipped, channels swapped per group. */
    public static float[] filter(ConvGeometry g, Phase p, float[] w) {
        int outPerGroup = g.outC() / g.groups();
        int inPerGroup = g.inC() / g.groups();
        int k = g.kernelH() * g.kernelW();
        float[] t = new float[g.inC() * outPerGroup * p.tapsH() * p.tapsW()];
        for (int o = 0; o < g.outC(); o++) {
            int grp = o / outPerGroup;
            int local = o - grp * outPerGroup;
            for (int i = 0; i < inPerGroup; i++) {
                int src = (o * inPerGroup + i) * k;
                int dst = ((grp * inPerGroup + i) * outPerGroup + local) * p.tapsH() * p.tapsW();
                for (int jy = 0; jy < p.tapsH(); jy++) {
                    int ky = p.firstTapH() + g.strideH() * (p.tapsH() - 1 - jy);
                    for (int jx = 0; jx < p.tapsW(); jx++) {
                        int kx = p.firstTapW() + g.strideW() * (p.tapsW() - 1 - jx);
                        t[dst + jy * p.tapsW() + jx] = w[src + ky * g.kernelW() + kx];
                    }
                }
            }
        }
        return t;
    }

    /**
     * Writes the phase's convolution output ({@code phaseOut}, [batch, inC, outH, outW] of the
     * phase) into its positions of dx, or zeros there where {@code phaseOut} is null (no tap).
     */
    public static void scatter(ConvGeometry g, Phase p, float[] phaseOut, float[] dx, int batch) {
        int planes = batch * g.inC();
        int inHW = g.inH() * g.inW();
        int phaseHW = p.outH() * p.outW();
        Workers.range(planes, plane -> {
            int base = plane * inHW;
            for (int i = 0; i < p.outH(); i++) {
                int row = base + (g.strideH() * i + p.py()) * g.inW() + p.px();
                int from = plane * phaseHW + i * p.outW();
                for (int j = 0; j < p.outW(); j++) dx[row + g.strideW() * j] = phaseOut == null ? 0f : phaseOut[from + j];
            }
        });
    }
}
