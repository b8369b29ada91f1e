package io.cnnc.kernels.cpu;

import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.cpu.layout.Nchwc;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling and global pooling on NCHW16c tensors ({@link Nchwc}), so that a network whose
 * convolutions are channel-blocked needs no reorder around its pools. One vector is one pixel's
 * 16 channels: a window's max is a max of whole vectors, with no row buffers, shuffles or border
 * cases (windows are clipped to the input). Max is exact and propagates NaN as Math.max does, so
 * results equal {@link FastMaxPool}'s; the global mean sums each channel's pixels in order.
 */
public final class BlockedPool {

    private static final VectorSpecies<Float> S = Nchwc.SPECIES;
    private static final int B = Nchwc.BLOCK;
    /** Output rows per task at least: below about 16k floats of input a second core costs more than it saves. */
    private static final int MIN_TASK_FLOATS = 16_384;

    private BlockedPool() {}

    /** Max pooling of {@code x} (NCHW16c, {@code g.channels()} a multiple of 16) into {@code y} (NCHW16c). */
    public static void max(float[] x, int batch, PoolGeometry g, float[] y, Parallel p) {
        int rows = batch * g.channels() / B * g.outH();
        int minRows = Math.max(1, MIN_TASK_FLOATS / (g.strideH() * g.inW() * B));
        Chunks.forRanges(p, rows, minRows, 1, (from, to) -> {
            for (int r = from; r < to; r++) maxRow(x, g, y, r / g.outH(), r % g.outH());
        });
    }

    private static void maxRow(float[] x, PoolGeometry g, float[] y, int plane, int oy) {
        int inH = g.inH(), inW = g.inW(), outW = g.outW();
        int y0 = oy * g.strideH() - g.padTop();
        int iy0 = Math.max(0, y0), iy1 = Math.min(y0 + g.kernelH(), inH);
        int xPlane = plane * inH * inW * B;
        int yRow = (plane * g.outH() + oy) * outW * B;
        for (int ox = 0; ox < outW; ox++) {
            int x0 = ox * g.strideW() - g.padLeft();
            int ix0 = Math.max(0, x0), ix1 = Math.min(x0 + g.kernelW(), inW);
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            if (g.kernelW() == 3 && ix1 - ix0 == 3) {
                // The 3-wide windows inside the row (ResNet's stem pool) as straight-line loads:
                // the loop of 3 with bounds of its own per pixel mispredicted its exit.
                for (int iy = iy0; iy < iy1; iy++) {
                    int at = xPlane + (iy * inW + ix0) * B;
                    m = m.max(FloatVector.fromArray(S, x, at)).max(FloatVector.fromArray(S, x, at + B)).max(FloatVector.fromArray(S, x, at + 2 * B));
                }
            } else {
                for (int iy = iy0; iy < iy1; iy++) {
                    int row = xPlane + iy * inW * B;
                    for (int ix = ix0; ix < ix1; ix++) m = m.max(FloatVector.fromArray(S, x, row + ix * B));
                }
            }
            m.intoArray(y, yRow + ox * B);
        }
    }

    /** Mean over each channel's {@code spatial} pixels of {@code x} (NCHW16c) into {@code y} ([batch][channels]: NCHW and NCHW16c alike). */
    public static void average(float[] x, int batch, int channels, int spatial, float[] y, Parallel p) {
        global(x, batch, channels, spatial, y, p, false);
    }

    /** Max over each channel's {@code spatial} pixels, as {@link #average}. */
    public static void max(float[] x, int batch, int channels, int spatial, float[] y, Parallel p) {
        global(x, batch, channels, spatial, y, p, true);
    }

    private static void global(float[] x, int batch, int channels, int spatial, float[] y, Parallel p, boolean max) {
        int blocks = batch * channels / B;
        Chunks.forRanges(p, blocks, Math.max(1, MIN_TASK_FLOATS / (spatial * B)), 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                int off = b * spatial * B;
                FloatVector acc = max ? FloatVector.broadcast(S, Float.NEGATIVE_INFINITY) : FloatVector.zero(S);
                for (int i = 0; i < spatial; i++) {
                    FloatVector v = FloatVector.fromArray(S, x, off + i * B);
                    acc = max ? acc.max(v) : acc.add(v);
                }
                if (!max) acc = acc.div(spatial);
                acc.intoArray(y, b * B);
            }
        });
    }
}
