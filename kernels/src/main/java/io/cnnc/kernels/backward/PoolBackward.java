package io.cnnc.kernels.backward;

import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.cpu.FastMaxPoolBackward;
import io.cnnc.kernels.cpu.Workers;

/**
 * Pooling gradients. Max routes each output's gradient to the first maximal input of its
 * window (PyTorch's choice among ties); average spreads it over the window with the same
 * divisor as the forward pass.
 */
public final class PoolBackward {

    private PoolBackward() {}

    public static void max(float[] x, float[] dy, int batch, PoolGeometry g, float[] dx) {
        if (FastMaxPoolBackward.applies(g)) {
            FastMaxPoolBackward.backward2x2(x, dy, batch, g, dx);
            return;
        }
        java.util.Arrays.fill(dx, 0f);
        int outH = g.outH();
        int outW = g.outW();
        boolean inside = g.padTop() == 0 && g.padLeft() == 0
                && (outH - 1) * g.strideH() + g.kernelH() <= g.inH() && (outW - 1) * g.strideW() + g.kernelW() <= g.inW();
        // Planes are independent: each writes only its own part of dx.
        Workers.range(batch * g.channels(), nc -> {
            if (inside) {
                maxInside(x, dy, g, dx, nc);
                return;
            }
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int best = -1;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < g.kernelH(); ky++) {
                        int iy = oy * g.strideH() - g.padTop() + ky;
                        if (iy < 0 || iy >= g.inH()) continue;
                        for (int kx = 0; kx < g.kernelW(); kx++) {
                            int ix = ox * g.strideW() - g.padLeft() + kx;
                            if (ix < 0 || ix >= g.inW()) continue;
                            int at = (nc * g.inH() + iy) * g.inW() + ix;
                            if (best < 0 || x[at] > max) {
                                max = x[at];
                                best = at;
                            }
                        }
                    }
                    if (best >= 0) dx[best] += dy[(nc * outH + oy) * outW + ox];
                }
            }
        });
    }

    /**
     * One plane whose windows all lie inside the input (no padding): no bounds to check (LeNet-5's
     * first pool at batch 64, 1.4 -> 0.85 ms on 2 Zen 5 cores). The first maximum wins, as below.
     */
    private static void maxInside(float[] x, float[] dy, PoolGeometry g, float[] dx, int nc) {
        int outH = g.outH();
        int outW = g.outW();
        int inW = g.inW();
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                int corner = (nc * g.inH() + oy * g.strideH()) * inW + ox * g.strideW();
                int best = corner;
                float max = x[corner];
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    int row = corner + ky * inW;
                    for (int kx = 0; kx < g.kernelW(); kx++) {
                        if (x[row + kx] > max) {
                            max = x[row + kx];
                            best = row + kx;
                        }
                    }
                }
                dx[best] += dy[(nc * outH + oy) * outW + ox];
            }
        }
    }

    public static void average(float[] dy, int batch, PoolGeometry g, float[] dx) {
        java.util.Arrays.fill(dx, 0f);
        int outH = g.outH();
        int outW = g.outW();
        for (int nc = 0; nc < batch * g.channels(); nc++) {
            for (int oy = 0; oy < outH; oy++) {
                int y0 = oy * g.strideH() - g.padTop();
                int y1 = Math.min(y0 + g.kernelH(), g.inH() + g.padBottom());
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = ox * g.strideW() - g.padLeft();
                    int x1 = Math.min(x0 + g.kernelW(), g.inW() + g.padRight());
                    float share = dy[(nc * outH + oy) * outW + ox] / ((y1 - y0) * (x1 - x0));
                    for (int iy = Math.max(0, y0); iy < Math.min(y1, g.inH()); iy++) {
                        for (int ix = Math.max(0, x0); ix < Math.min(x1, g.inW()); ix++) dx[(nc * g.inH() + iy) * g.inW() + ix] += share;
                    }
                }
            }
        }
    }

    public static void globalAverage(float[] dy, int batch, int channels, int spatial, float[] dx) {
        for (int nc = 0; nc < batch * channels; nc++) {
            float share = dy[nc] / spatial;
            java.util.Arrays.fill(dx, nc * spatial, (nc + 1) * spatial, share);
        }
    }

    /** The global average's gradient into NCHWc {@code dx} ({@link io.cnnc.kernels.cpu.layout.Nchwc}); dy is [batch][channels] either way. */
    public static void globalAverageBlocked(float[] dy, int batch, int channels, int spatial, float[] dx) {
        int b = io.cnnc.kernels.cpu.layout.Nchwc.BLOCK;
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < channels / b; k++) {
                int off = (n * channels + k * b) * spatial;
                for (int i = 0; i < spatial; i++) {
                    for (int l = 0; l < b; l++) dx[off + i * b + l] = dy[n * channels + k * b + l] / spatial;
                }
            }
        }
    }

    /** The global max's gradient for NCHWc {@code x} and {@code dx}, each channel's first largest value taking it, as {@link #globalMax}. */
    public static void globalMaxBlocked(float[] x, float[] dy, int batch, int channels, int spatial, float[] dx) {
        int b = io.cnnc.kernels.cpu.layout.Nchwc.BLOCK;
        java.util.Arrays.fill(dx, 0f);
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int first = (n * channels + c / b * b) * spatial + c % b;
                int best = first;
                for (int i = 1; i < spatial; i++) if (x[first + i * b] > x[best]) best = first + i * b;
                dx[best] = dy[n * channels + c];
            }
        }
    }

    public static void globalMax(float[] x, float[] dy, int batch, int channels, int spatial, float[] dx) {
        java.util.Arrays.fill(dx, 0f);
        for (int nc = 0; nc < batch * channels; nc++) {
            int best = nc * spatial;
            for (int i = 1; i < spatial; i++) if (x[nc * spatial + i] > x[best]) best = nc * spatial + i;
            dx[best] = dy[nc];
        }
    }

    public static void adaptiveAverage(float[] dy, int batch, int channels, int inH, int inW, int outH, int outW, float[] dx) {
        java.util.Arrays.fill(dx, 0f);
        for (int nc = 0; nc < batch * channels; nc++) {
            for (int oy = 0; oy < outH; oy++) {
                int y0 = Math.floorDiv(oy * inH, outH);
                int y1 = -Math.floorDiv(-(oy + 1) * inH, outH);
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = Math.floorDiv(ox * inW, outW);
                    int x1 = -Math.floorDiv(-(ox + 1) * inW, outW);
                    float share = dy[(nc * outH + oy) * outW + ox] / ((y1 - y0) * (x1 - x0));
                    for (int iy = y0; iy < y1; iy++) for (int ix = x0; ix < x1; ix++) dx[(nc * inH + iy) * inW + ix] += share;
                }
            }
        }
    }
}
