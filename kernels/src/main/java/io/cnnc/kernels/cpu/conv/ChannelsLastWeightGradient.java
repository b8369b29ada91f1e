package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.VectorRegisters;
import io.cnnc.kernels.cpu.WorkerSums;
import io.cnnc.kernels.cpu.Workers;
import io.cnnc.kernels.cpu.layout.Nchwc;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution's weight gradient, dW[o][i][ky][kx] += the sum over samples and output pixels
 * of dy[o][p] * x[i][p shifted by the tap], with vectors across input channels. Each sample's
 * input is copied once, zero-bordered and channels last ([Hp][Wp][C], C padded to whole
 * vectors), so a tap's operand at any pixel is an aligned run of channel vectors, and dy's
 * values are broadcast from NCHW as they are: no im2col, and any stride or dilation. Register
 * blocks of 4 output channels by up to 4 channel vectors (3 with 16 vector registers) add up a
 * worker's pixels in registers, several samples at a time.
 *
 * <p>Where the planar lane-partial form ({@code Im2colConv}) loads 8 vectors per 16
 * multiply-adds and keeps 16 partial sums per weight in memory, this form keeps one sum per
 * weight: on small images with many channels (ResNet-20's 8x8 layers) those partial sums
 * did not fit in cache (docs/training.md).
 */
public final class ChannelsLastWeightGradient {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int ROWS = 4;
    private static final int MOST_VECTORS = VectorRegisters.wide() ? 4 : 3;
    /** Pixels a chunk of samples covers at least, so that a register block's loads and stores are few against its sums. */
    private static final int CHUNK_PIXELS = 256;

    /** The workers' sums, [tap][outC][cp] each. */
    private static final WorkerSums SUMS = new WorkerSums();
    /** Each worker's zero-bordered channels-last sample copies, kept as the sums are. */
    private static final WorkerSums SAMPLE_COPIES = new WorkerSums();

    private ChannelsLastWeightGradient() {}

    /** Whether this form computes {@code g}: ungrouped, with a channel vector's worth of input channels at least. */
    public static boolean applies(ConvGeometry g) {
        return g.groups() == 1 && g.inC() >= L;
    }

    /** dw ([outC, inC, kH, kW]) += the weight gradient of {@code batch} samples of x ([inC, inH, inW] each) and dy. */
    public static void accumulate(float[] x, float[] dy, int batch, ConvGeometry g, float[] dw) {
        accumulate(x, false, dy, false, batch, g, dw);
    }

    /**
     * As above, x and dy each NCHW or, where {@code xBlocked} / {@code dyBlocked}, NCHWc
     * ({@link Nchwc}): a blocked input is copied channels last a block's vector at a time, a
     * blocked dy read in place with its channels 1 and its pixels a block apart.
     */
    public static void accumulate(float[] x, boolean xBlocked, float[] dy, boolean dyBlocked, int batch, ConvGeometry g, float[] dw) {
        if (!applies(g)) throw new IllegalArgumentException("the channels-last weight gradient does not compute " + g);
        int taps = g.kernelH() * g.kernelW();
        int cp = (g.inC() + L - 1) / L * L;
        int sumFloats = taps * g.outC() * cp;
        int workers = Workers.count(batch);
        float[][] sums = SUMS.zeroed(workers, sumFloats);
        Layout layout = new Layout(xBlocked, dyBlocked, g.outH() * g.outW());
        Workers.range(workers, t -> worker(x, dy, layout, batch, g, t, workers, cp, sums[t]));
        for (int t = 1; t < workers; t++) {
            for (int i = 0; i < sumFloats; i++) sums[0][i] += sums[t][i];
        }
        float[] sum = sums[0];
        for (int o = 0; o < g.outC(); o++) {
            for (int i = 0; i < g.inC(); i++) {
                for (int tap = 0; tap < taps; tap++) dw[(o * g.inC() + i) * taps + tap] += sum[(tap * g.outC() + o) * cp + i];
            }
        }
    }

    /** Whether x and dy are blocked; {@code hw}: dy's pixels per channel. */
    private record Layout(boolean xBlocked, boolean dyBlocked, int hw) {
        /** dy's step from one output channel to the next. */
        int channelStep() {
            return dyBlocked ? 1 : hw;
        }

        /** dy's step from one pixel to the next. */
        int pixelStep() {
            return dyBlocked ? Nchwc.BLOCK : 1;
        }

        /** Where output channel o's first pixel is in a sample of dy. */
        int channel(int o) {
            return dyBlocked ? o / Nchwc.BLOCK * hw * Nchwc.BLOCK + o % Nchwc.BLOCK : o * hw;
        }
    }

    /** Worker t's samples (t, t + workers, ...) into {@code sum}, [tap][outC][cp]. */
    private static void worker(float[] x, float[] dy, Layout layout, int batch, ConvGeometry g, int t, int workers, int cp, float[] sum) {
        int hp = g.inH() + g.padTop() + g.padBottom();
        int wp = g.inW() + g.padLeft() + g.padRight();
        int sampleFloats = hp * wp * cp;
        int hw = g.outH() * g.outW();
        int inSize = g.inC() * g.inH() * g.inW();
        int outSize = g.outC() * hw;
        int mine = (batch - t + workers - 1) / workers;
        int chunk = Math.max(1, Math.min(mine, (CHUNK_PIXELS + hw - 1) / hw));
        // Zeroed once a call: the samples' copies write only the interior, so the border stays zero.
        float[] xs = SAMPLE_COPIES.zeroed(1, chunk * sampleFloats)[0];
        int[] dyAt = new int[chunk];
        int rowStep = g.strideH() * wp * cp;
        int colStep = g.strideW() * cp;
        int vectors = cp / L;
        for (int first = 0; first < mine; first += chunk) {
            int count = Math.min(chunk, mine - first);
            for (int s = 0; s < count; s++) {
                int n = t + (first + s) * workers;
                if (layout.xBlocked()) blockedToChannelsLast(x, n * inSize, g, xs, s * sampleFloats, wp, cp);
                else toChannelsLast(x, n * inSize, g, xs, s * sampleFloats, wp, cp);
                dyAt[s] = n * outSize;
            }
            for (int ky = 0; ky < g.kernelH(); ky++) {
                if (slides(g)) {
                    tapRow(dy, layout, dyAt, count, g, ky, xs, sampleFloats, wp, cp, sum);
                    continue;
                }
                for (int kx = 0; kx < g.kernelW(); kx++) {
                    int tap = ky * g.kernelW() + kx;
                    int xTap = (ky * g.dilationH() * wp + kx * g.dilationW()) * cp;
                    for (int o = 0; o < g.outC(); o += ROWS) {
                        int rows = Math.min(ROWS, g.outC() - o);
                        int dOff = layout.channel(o);
                        int cs = layout.channelStep(), ps = layout.pixelStep();
                        if (rows < ROWS) {
                            remainder(rows, dy, dyAt, dOff, count, g.outH(), g.outW(), cs, ps, xs, sampleFloats, rowStep, colStep, xTap, vectors, sum, (tap * g.outC() + o) * cp, cp);
                            continue;
                        }
                        for (int v = 0; v < vectors; v += MOST_VECTORS) {
                            int at = (tap * g.outC() + o) * cp + v * L;
                            int xOff = xTap + v * L;
                            switch (Math.min(MOST_VECTORS, vectors - v)) {
                                case 1 -> ChannelsLastBlocks.rows4x1(dy, dyAt, dOff, count, g.outH(), g.outW(), cs, ps, xs, sampleFloats, rowStep, colStep, xOff, sum, at, cp);
                                case 2 -> ChannelsLastBlocks.rows4x2(dy, dyAt, dOff, count, g.outH(), g.outW(), cs, ps, xs, sampleFloats, rowStep, colStep, xOff, sum, at, cp);
                                case 3 -> ChannelsLastBlocks.rows4x3(dy, dyAt, dOff, count, g.outH(), g.outW(), cs, ps, xs, sampleFloats, rowStep, colStep, xOff, sum, at, cp);
                                default -> ChannelsLastBlocks.rows4x4(dy, dyAt, dOff, count, g.outH(), g.outW(), cs, ps, xs, sampleFloats, rowStep, colStep, xOff, sum, at, cp);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether a row's three taps go together: 3 wide, undilated, and rows of 16 pixels or more (on
     * ResNet-20's 8-pixel rows the tap-by-tap blocks of up to 4 vectors ran 1.6x faster). At
     * stride 1 one input vector is loaded per pixel and slid along; at a larger stride the three
     * are loaded per pixel, where the tap-by-tap blocks of one vector kept 4 sums and ran a 16
     * to 32 channel stride-2 layer at a third of the stride-1 layers' speed.
     */
    private static boolean slides(ConvGeometry g) {
        return g.kernelW() == 3 && g.dilationW() == 1 && g.outW() >= 16;
    }

    /**
     * Kernel row ky's three taps for every output channel: register blocks of 4 output channels
     * by 1 channel vector by the 3 taps (12 sums; 24, with 2 vectors or 8 channels, spilled and
     * ran at half the speed); output channels past the last block tap by tap.
     */
    private static void tapRow(float[] dy, Layout layout, int[] dyAt, int count, ConvGeometry g, int ky, float[] xs, int sampleFloats, int wp, int cp, float[] sum) {
        int hw = g.outH() * g.outW();
        int rowStep = g.strideH() * wp * cp;
        int colStep = g.strideW() * cp;
        int tapStride = g.outC() * cp;
        int vectors = cp / L;
        int xRow = ky * g.dilationH() * wp * cp;
        int first = ky * 3 * tapStride;
        for (int o = 0; o < g.outC(); o += ROWS) {
            int rows = Math.min(ROWS, g.outC() - o);
            int dOff = layout.channel(o);
            int cs = layout.channelStep(), ps = layout.pixelStep();
            for (int v = 0; v < vectors; v++) {
                if (rows == ROWS && g.strideW() == 1) {
                    ChannelsLastBlocks.rows4x1Taps3(dy, dyAt, dOff, count, g.outH(), g.outW(), cs, ps, xs, sampleFloats, rowStep, xRow + v * L, sum, first + o * cp + v * L, tapStride, cp);
                    continue;
                }
                if (rows == ROWS) {
                    ChannelsLastBlocks.rows4x1Taps3Strided(dy, dyAt, dOff, count, g.outH(), g.outW(), cs, ps, xs, sampleFloats, rowStep, colStep, xRow + v * L, sum,
                            first + o * cp + v * L, tapStride, cp);
                    continue;
                }
                for (int kx = 0; kx < 3; kx++) {
                    remainder(rows, dy, dyAt, dOff, count, g.outH(), g.outW(), cs, ps, xs, sampleFloats, rowStep, colStep, xRow + kx * cp + v * L, 1, sum,
                            first + kx * tapStride + o * cp + v * L, cp);
                }
            }
        }
    }

    /** One sample's [C][H][W] into the interior of a zero-bordered [Hp][Wp][cp] copy. */
    private static void toChannelsLast(float[] x, int from, ConvGeometry g, float[] xs, int to, int wp, int cp) {
        int plane = g.inH() * g.inW();
        int blocked = g.inC() / Nchwc.BLOCK * Nchwc.BLOCK;
        // 16 channels of a row at a time, transposed in registers where the vectors allow: the scalar loop below took 6% of a ResNet-20 step.
        for (int c = 0; c < blocked; c += Nchwc.BLOCK) {
            for (int y = 0; y < g.inH(); y++) {
                Nchwc.channelsLast(x, from + c * plane + y * g.inW(), plane, xs, to + ((y + g.padTop()) * wp + g.padLeft()) * cp + c, cp, g.inW());
            }
        }
        for (int c = blocked; c < g.inC(); c++) {
            int src = from + c * plane;
            for (int y = 0; y < g.inH(); y++) {
                int dst = to + ((y + g.padTop()) * wp + g.padLeft()) * cp + c;
                for (int xx = 0; xx < g.inW(); xx++) xs[dst + xx * cp] = x[src + y * g.inW() + xx];
            }
        }
    }

    /** One sample's NCHWc blocks into the interior of a zero-bordered [Hp][Wp][cp] copy, a block's vector per pixel. */
    private static void blockedToChannelsLast(float[] x, int from, ConvGeometry g, float[] xs, int to, int wp, int cp) {
        int b = Nchwc.BLOCK;
        int plane = g.inH() * g.inW();
        for (int c = 0; c < g.inC(); c += b) {
            int src = from + c * plane;
            for (int y = 0; y < g.inH(); y++) {
                int dst = to + ((y + g.padTop()) * wp + g.padLeft()) * cp + c;
                for (int xx = 0; xx < g.inW(); xx++) FloatVector.fromArray(Nchwc.SPECIES, x, src + (y * g.inW() + xx) * b).intoArray(xs, dst + xx * cp);
            }
        }
    }

    /** The last output channels, fewer than a register block's rows: one row and one vector at a time. */
    private static void remainder(int rows, float[] dy, int[] dyAt, int dOff, int count, int outH, int outW, int channelStep, int pixelStep, float[] xs, int sampleFloats,
                                  int rowStep, int colStep, int xTap, int vectors, float[] acc, int at, int cp) {
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < vectors; v++) {
                FloatVector c = FloatVector.fromArray(S, acc, at + r * cp + v * L);
                for (int s = 0; s < count; s++) {
                    for (int oy = 0; oy < outH; oy++) {
                        int d = dyAt[s] + dOff + r * channelStep + oy * outW * pixelStep;
                        int xi = s * sampleFloats + xTap + v * L + oy * rowStep;
                        for (int ox = 0; ox < outW; ox++, d += pixelStep, xi += colStep) {
                            c = FloatVector.fromArray(S, xs, xi).fma(FloatVector.broadcast(S, dy[d]), c);
                        }
                    }
                }
                c.intoArray(acc, at + r * cp + v * L);
            }
        }
    }
}
