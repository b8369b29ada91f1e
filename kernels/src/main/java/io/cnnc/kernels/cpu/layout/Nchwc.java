package io.cnnc.kernels.cpu.layout;

import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.VectorRegisters;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The channel-blocked layout NCHWc: channels in blocks of {@link #BLOCK}, the block index
 * outermost after the sample and the channels of a block innermost, so one vector holds one
 * pixel's block. A block is one native vector: 16 channels (NCHW16c) where the register blocks
 * are AVX-512's, 8 (NCHW8c) where they are AVX2's, so 256-bit machines run the same kernels at
 * their own width ({@code -Dcnnc.cpu.vector-registers=16} forces the narrow one anywhere). Only
 * tensors whose channel count is a multiple of the block use it, so a
 * blocked tensor has exactly as many elements as its NCHW form and elementwise ops (add,
 * activations) need not know which layout they run on.
 */
public final class Nchwc {

    /** Channels per block: one 512-bit vector of floats, or one 256-bit vector. */
    public static final int BLOCK = VectorRegisters.wide() ? 16 : 8;
    /** Vectors of one block. */
    public static final VectorSpecies<Float> SPECIES = BLOCK == 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    /** The layout's name in plans and messages: NCHW16c or NCHW8c. */
    public static final String NAME = "NCHW" + BLOCK + "c";
    /** Pixels per tile of a scalar reorder: 64 pixels of a block are 4 KiB. */
    private static final int TILE = 64;
    /**
     * Whether reorders transpose BLOCK x BLOCK tiles in registers ({@link Transpose16},
     * {@link Transpose8}), twice as fast as the scalar loops: with native vectors of a block only
     * (docs/kernels.md, "Reorders").
     */
    private static final boolean TRANSPOSE = nativeVectors();

    private Nchwc() {}

    /**
     * Whether this CPU's vectors hold a block: elsewhere (NEON) a block's vector is emulated and
     * the blocked kernels are slower than every planar strategy.
     */
    public static boolean nativeVectors() {
        return FloatVector.SPECIES_PREFERRED.length() >= BLOCK;
    }

    /** One tile of {@link #BLOCK} x {@link #BLOCK} floats transposed in registers. */
    private static void transpose(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
        if (BLOCK == 16) Transpose16.transpose(x, xOff, xStride, y, yOff, yStride);
        else Transpose8.transpose(x, xOff, xStride, y, yOff, yStride);
    }

    /** Whether {@code channels} can be blocked without padding. */
    public static boolean blocks(int channels) {
        return channels % BLOCK == 0;
    }

    /** NCHW to NCHWc. */
    public static void toBlocked(float[] x, float[] y, int batch, int channels, int spatial) {
        toBlocked(x, y, batch, channels, spatial, Parallel.serial());
    }

    /** NCHW to NCHWc, channel blocks shared out over {@code parallel}'s cores. */
    public static void toBlocked(float[] x, float[] y, int batch, int channels, int spatial, Parallel parallel) {
        toBlocked(x, 0, y, batch, channels, spatial, parallel);
    }

    /** {@code batch} samples of NCHW from {@code x[from]} to NCHWc at the start of {@code y}. */
    public static void toBlocked(float[] x, int from, float[] y, int batch, int channels, int spatial, Parallel parallel) {
        toBlocked(x, from, y, 0, batch, channels, spatial, parallel);
    }

    /** {@code batch} samples of NCHW from {@code x[from]} to NCHWc at {@code y[to]}. */
    public static void toBlocked(float[] x, int from, float[] y, int to, int batch, int channels, int spatial, Parallel parallel) {
        check(channels);
        parallel.forRange(batch * (channels / BLOCK), block -> blockOf(x, from, y, to, block, spatial));
    }

    private static void blockOf(float[] x, int from, float[] y, int to, int block, int spatial) {
        int dst = to + block * BLOCK * spatial;
        // In tiles of pixels, so the strided writes per pixel stay within 4 KiB of L1:
        // a whole plane at a time, each channel's pass wrote every cache line of the
        // block again.
        for (int i0 = 0; i0 < spatial; i0 += TILE) blockPixels(x, from + block * BLOCK * spatial + i0, spatial, y, dst + i0 * BLOCK, Math.min(TILE, spatial - i0));
    }

    /**
     * {@code count} consecutive pixels of a block's channel planes, the first at {@code x[src]} and the
     * others {@code channelStride} apart, into one block's pixel-major run at {@code y[dst]}.
     */
    public static void blockPixels(float[] x, int src, int channelStride, float[] y, int dst, int count) {
        channelsLast(x, src, channelStride, y, dst, BLOCK, count);
    }

    /**
     * The same with the pixels' runs of a block's channels {@code pixelStride} apart in {@code y}: a block
     * of a wider channels-last row.
     */
    public static void channelsLast(float[] x, int src, int channelStride, float[] y, int dst, int pixelStride, int count) {
        int i0 = 0;
        if (TRANSPOSE) for (; i0 + BLOCK <= count; i0 += BLOCK) transpose(x, src + i0, channelStride, y, dst + i0 * pixelStride, pixelStride);
        for (int c = 0; c < BLOCK; c++) {
            for (int i = i0; i < count; i++) y[dst + i * pixelStride + c] = x[src + c * channelStride + i];
        }
    }

    /**
     * The inverse of {@link #blockPixels}: one block's pixel-major run of {@code count} pixels at
     * {@code x[src]} into a block's channel planes, the first at {@code y[dst]} and the others
     * {@code channelStride} apart.
     */
    public static void unblockPixels(float[] x, int src, float[] y, int dst, int channelStride, int count) {
        int i0 = 0;
        if (TRANSPOSE) for (; i0 + BLOCK <= count; i0 += BLOCK) transpose(x, src + i0 * BLOCK, BLOCK, y, dst + i0, channelStride);
        for (int c = 0; c < BLOCK; c++) {
            for (int i = i0; i < count; i++) y[dst + c * channelStride + i] = x[src + i * BLOCK + c];
        }
    }

    /** NCHWc to NCHW. */
    public static void toPlanar(float[] x, float[] y, int batch, int channels, int spatial) {
        toPlanar(x, y, batch, channels, spatial, Parallel.serial());
    }

    /** NCHWc to NCHW, channel blocks shared out over {@code parallel}'s cores. */
    public static void toPlanar(float[] x, float[] y, int batch, int channels, int spatial, Parallel parallel) {
        toPlanar(x, y, 0, batch, channels, spatial, parallel);
    }

    /** {@code batch} samples of NCHWc from the start of {@code x} to NCHW at {@code y[to]}. */
    public static void toPlanar(float[] x, float[] y, int to, int batch, int channels, int spatial, Parallel parallel) {
        toPlanar(x, 0, y, to, batch, channels, spatial, parallel);
    }

    /** {@code batch} samples of NCHWc from {@code x[from]} to NCHW at {@code y[to]}. */
    public static void toPlanar(float[] x, int from, float[] y, int to, int batch, int channels, int spatial, Parallel parallel) {
        check(channels);
        parallel.forRange(batch * (channels / BLOCK), block -> planeOf(x, from, y, to, block, spatial));
    }

    private static void planeOf(float[] x, int from, float[] y, int to, int block, int spatial) {
        // The block's pixel-major run and its planes start at the same offset.
        int at = from + block * BLOCK * spatial;
        int out = to + block * BLOCK * spatial;
        int full = 0;
        if (TRANSPOSE) for (; full + BLOCK <= spatial; full += BLOCK) transpose(x, at + full * BLOCK, BLOCK, y, out + full, spatial);
        for (int i0 = full; i0 < spatial; i0 += TILE) {
            int i1 = Math.min(spatial, i0 + TILE);
            for (int c = 0; c < BLOCK; c++) {
                for (int i = i0; i < i1; i++) y[out + c * spatial + i] = x[at + i * BLOCK + c];
            }
        }
    }

    private static void check(int channels) {
        if (!blocks(channels)) throw new IllegalArgumentException(channels + " channels are not a multiple of " + BLOCK);
    }
}
