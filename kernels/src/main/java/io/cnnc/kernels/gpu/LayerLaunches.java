package io.cnnc.kernels.gpu;

import io.cnnc.kernels.PoolGeometry;
import java.util.List;

/**
 * Launches of the kernels for every layer but convolution, one method per kernel, arguments in
 * the order the kernel declares them. Buffers are the plan's buffer numbers.
 */
public final class LayerLaunches {

    private LayerLaunches() {}

    public static Launch maxPool(int x, int y, int batch, PoolGeometry g) {
        long total = (long) batch * g.channels() * g.outH() * g.outW();
        return Launch.linear("maxpool", total, List.of(Arg.buffer(x), Arg.buffer(y), Arg.of(Math.toIntExact(total)), Arg.of(g.inH()),
                Arg.of(g.inW()), Arg.of(g.outH()), Arg.of(g.outW()), Arg.of(g.kernelH()), Arg.of(g.kernelW()), Arg.of(g.strideH()),
                Arg.of(g.strideW()), Arg.of(g.padTop()), Arg.of(g.padLeft())));
    }

    public static Launch avgPool(int x, int y, int batch, PoolGeometry g) {
        long total = (long) batch * g.channels() * g.outH() * g.outW();
        return Launch.linear("avgpool", total, List.of(Arg.buffer(x), Arg.buffer(y), Arg.of(Math.toIntExact(total)), Arg.of(g.inH()),
                Arg.of(g.inW()), Arg.of(g.outH()), Arg.of(g.outW()), Arg.of(g.kernelH()), Arg.of(g.kernelW()), Arg.of(g.strideH()),
                Arg.of(g.strideW()), Arg.of(g.padTop()), Arg.of(g.padLeft()), Arg.of(g.padBottom()), Arg.of(g.padRight())));
    }

    public static Launch adaptiveAvgPool(int x, int y, int rows, int inH, int inW, int outH, int outW) {
        long total = (long) rows * outH * outW;
        return Launch.linear("adaptive_avgpool", total, List.of(Arg.buffer(x), Arg.buffer(y), Arg.of(Math.toIntExact(total)),
                Arg.of(inH), Arg.of(inW), Arg.of(outH), Arg.of(outW)));
    }

    /** {@code rows} = batch * channels. */
    public static Launch globalPool(int x, int y, int rows, int spatial, boolean max) {
        return new Launch("global_pool", new long[] {64L * rows, 1, 1}, new long[] {64, 1, 1},
                List.of(Arg.buffer(x), Arg.buffer(y), Arg.of(spatial), Arg.flag(max)));
    }

    /** {@code bias} may be {@link Arg#NO_BUFFER}. */
    public static Launch dense(int x, int w, int bias, int y, int batch, int in, int units, int act, float alpha) {
        return new Launch("dense", new long[] {64L * units, batch, 1}, new long[] {64, 1, 1}, List.of(Arg.buffer(x), Arg.buffer(w),
                Arg.buffer(bias), Arg.buffer(y), Arg.of(in), Arg.of(units), Arg.flag(bias != Arg.NO_BUFFER), Arg.of(act), Arg.of(alpha)));
    }

    public static Launch activation(int x, int y, long count, int act, float alpha) {
        return Launch.linear("activation", count, List.of(Arg.buffer(x), Arg.buffer(y), Arg.of(Math.toIntExact(count)), Arg.of(act), Arg.of(alpha)));
    }

    public static Launch add(int a, int b, int y, long count, int act, float alpha) {
        return Launch.linear("add", count, List.of(Arg.buffer(a), Arg.buffer(b), Arg.buffer(y), Arg.of(Math.toIntExact(count)),
                Arg.of(act), Arg.of(alpha)));
    }

    /** With {@code broadcast}, {@code b} is [N, C, 1, 1] and {@code spatial} the positions per channel of {@code a}. */
    public static Launch mul(int a, int b, int y, long count, int spatial, boolean broadcast) {
        return Launch.linear("mul", count, List.of(Arg.buffer(a), Arg.buffer(b), Arg.buffer(y), Arg.of(Math.toIntExact(count)),
                Arg.of(spatial), Arg.flag(broadcast)));
    }

    public static Launch channelAffine(int x, int scale, int shift, int y, int batch, int channels, int spatial) {
        long count = (long) batch * channels * spatial;
        return Launch.linear("channel_affine", count, List.of(Arg.buffer(x), Arg.buffer(scale), Arg.buffer(shift), Arg.buffer(y),
                Arg.of(Math.toIntExact(count)), Arg.of(channels), Arg.of(spatial)));
    }

    /** One concat operand of {@code part} floats per sample into {@code total} per sample at {@code offset}. */
    public static Launch copyInto(int x, int y, int batch, int part, int total, int offset) {
        return Launch.linear("copy_into", (long) batch * part, List.of(Arg.buffer(x), Arg.buffer(y), Arg.of(batch), Arg.of(part),
                Arg.of(total), Arg.of(offset)));
    }

    public static Launch layerNorm(int x, int gamma, int beta, int y, int batch, int channels, int spatial, float eps) {
        return Launch.linear("layernorm", (long) batch * spatial, List.of(Arg.buffer(x), Arg.buffer(gamma), Arg.buffer(beta), Arg.buffer(y),
                Arg.of(batch), Arg.of(channels), Arg.of(spatial), Arg.of(eps)));
    }

    /** {@code gamma} and {@code beta} may be {@link Arg#NO_BUFFER} (no affine map). */
    public static Launch groupNorm(int x, int gamma, int beta, int y, int batch, int channels, int spatial, int groups, float eps) {
        return Launch.linear("groupnorm", (long) batch * groups, List.of(Arg.buffer(x), Arg.buffer(gamma), Arg.buffer(beta), Arg.buffer(y),
                Arg.of(batch), Arg.of(channels), Arg.of(spatial), Arg.of(groups), Arg.flag(gamma != Arg.NO_BUFFER), Arg.of(eps)));
    }

    public static Launch softmax(int x, int y, int batch, int channels, int spatial) {
        return Launch.linear("softmax_channels", (long) batch * spatial, List.of(Arg.buffer(x), Arg.buffer(y), Arg.of(batch),
                Arg.of(channels), Arg.of(spatial)));
    }
}
