package io.cnnc.kernels.gpu;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.PoolGeometry;
import java.util.List;

/**
 * Launches of backward.cl's kernels, arguments in kernel order. {@code beta} is 0 to overwrite an
 * input gradient, 1 to add to it (values read by several layers).
 */
public final class TrainingLaunches {

    private TrainingLaunches() {}

    private static List<Arg> conv(ConvGeometry g) {
        return List.of(Arg.of(g.inC()), Arg.of(g.inH()), Arg.of(g.inW()), Arg.of(g.outC()), Arg.of(g.outH()), Arg.of(g.outW()),
                Arg.of(g.kernelH()), Arg.of(g.kernelW()), Arg.of(g.strideH()), Arg.of(g.strideW()), Arg.of(g.padTop()), Arg.of(g.padLeft()),
                Arg.of(g.dilationH()), Arg.of(g.dilationW()), Arg.of(g.groups()));
    }

    private static List<Arg> join(List<Arg> a, List<Arg> b, List<Arg> c) {
        List<Arg> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        out.addAll(c);
        return out;
    }

    public static Launch convBackwardData(int dy, int w, int dx, int batch, ConvGeometry g, float beta) {
        long count = (long) batch * g.inC() * g.inH() * g.inW();
        return Launch.linear("conv_backward_data", count, join(List.of(Arg.buffer(dy), Arg.buffer(w), Arg.buffer(dx), Arg.of(batch)),
                conv(g), List.of(Arg.of(beta))));
    }

    /**
     * How many ranges the weight gradient's sum over (sample, position) is split into: enough
     * work-groups to occupy a device (about 128) when dW has few 64 x 64 tiles, but at least
     * 1024 terms per range.
     */
    public static int weightGradientSplits(ConvGeometry g, int batch) {
        long k = (long) g.inC() / g.groups() * g.kernelH() * g.kernelW();
        long tiles = (k + 63) / 64 * ((g.outC() / g.groups() + 63) / 64) * g.groups();
        long terms = (long) batch * g.outH() * g.outW();
        return (int) Math.max(1, Math.min((terms + 1023) / 1024, (128 + tiles - 1) / tiles));
    }

    /**
     * Whether dW is too small for 64 x 64 tiles (fewer than 32 output channels per group or
     * reduction terms, so a tile would be at least half padding): then one work-group per
     * element of dW reduces over (sample, position) instead.
     */
    public static boolean smallWeightGradient(ConvGeometry g) {
        return g.outC() / g.groups() < Gemm.HALF_TILE || g.inC() / g.groups() * g.kernelH() * g.kernelW() < Gemm.HALF_TILE;
    }

    /** Floats of scratch the weight gradient needs for its partial sums (0 when not split). */
    public static long weightGradientWorkspace(ConvGeometry g, int batch) {
        int splits = weightGradientSplits(g, batch);
        return splits == 1 || smallWeightGradient(g) ? 0 : (long) splits * g.weightCount();
    }

    /** {@code partials} holds {@link #weightGradientWorkspace} floats, or is unused when that is 0. */
    public static List<Launch> convBackwardWeight(int x, int dy, int dw, int partials, int batch, ConvGeometry g, float beta) {
        int k = g.inC() / g.groups() * g.kernelH() * g.kernelW();
        int ocg = g.outC() / g.groups();
        if (smallWeightGradient(g)) {
            return List.of(new Launch("conv_backward_weight_small", new long[] {64L * g.outC() * k, 1, 1}, new long[] {64, 1, 1},
                    join(List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(dw), Arg.of(batch)), conv(g), List.of(Arg.of(beta)))));
        }
        int splits = weightGradientSplits(g, batch);
        Launch products = new Launch("conv_backward_weight", new long[] {(k + 63L) / 64 * 16, (ocg + 63L) / 64 * 16, (long) g.groups() * splits},
                new long[] {16, 16, 1}, join(List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(splits == 1 ? dw : partials), Arg.of(batch)), conv(g),
                        List.of(Arg.of(splits), Arg.of(beta))));
        if (splits == 1) return List.of(products);
        int count = g.outC() * k;
        return List.of(products, Launch.linear("sum_splits", count, List.of(Arg.buffer(partials), Arg.buffer(dw), Arg.of(count), Arg.of(splits),
                Arg.of(beta))));
    }

    public static Launch channelSum(int dy, int out, int batch, int channels, int spatial, float beta) {
        return new Launch("channel_sum", new long[] {64L * channels, 1, 1}, new long[] {64, 1, 1},
                List.of(Arg.buffer(dy), Arg.buffer(out), Arg.of(batch), Arg.of(channels), Arg.of(spatial), Arg.of(beta)));
    }

    public static Launch activationBackward(int x, int dy, int dx, long count, int act, float alpha, float beta) {
        return Launch.linear("activation_backward", count, List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(dx),
                Arg.of(Math.toIntExact(count)), Arg.of(act), Arg.of(alpha), Arg.of(beta)));
    }

    /** {@code dst = beta * dst + src * mask}; {@code mask} may be {@link Arg#NO_BUFFER} (then a copy or a sum). */
    public static Launch accumulate(int src, int mask, int dst, long count, float beta) {
        return Launch.linear("accumulate", count, List.of(Arg.buffer(src), Arg.buffer(mask), Arg.flag(mask != Arg.NO_BUFFER), Arg.buffer(dst),
                Arg.of(Math.toIntExact(count)), Arg.of(beta)));
    }

    public static Launch copyFrom(int dy, int dx, int batch, int part, int total, int offset, float beta) {
        return Launch.linear("copy_from", (long) batch * part, List.of(Arg.buffer(dy), Arg.buffer(dx), Arg.of(batch), Arg.of(part),
                Arg.of(total), Arg.of(offset), Arg.of(beta)));
    }

    /** The gradient of channels {@code [offset, offset + part)} (in floats per sample) of a {@code total}-float sample: dy there, 0 elsewhere. */
    public static Launch sliceBackward(int dy, int dx, int batch, int part, int total, int offset, float beta) {
        return Launch.linear("slice_backward", (long) batch * total, List.of(Arg.buffer(dy), Arg.buffer(dx), Arg.of(batch), Arg.of(part),
                Arg.of(total), Arg.of(offset), Arg.of(beta)));
    }

    /**
     * A group norm's gradient: per (sample, group) statistics into {@code stats} (4 floats each),
     * dx with {@code beta} when {@code dx} is a buffer, and the parameter gradients (overwritten)
     * when {@code dgamma} is one. {@code gamma} {@link Arg#NO_BUFFER}: no affine map.
     */
    public static List<Launch> groupNormBackward(int x, int dy, int gamma, int stats, int dx, int dgamma, int dbeta, int batch, int channels,
                                                 int spatial, int groups, float eps, float beta) {
        boolean affine = gamma != Arg.NO_BUFFER;
        List<Launch> out = new java.util.ArrayList<>();
        out.add(Launch.linear("groupnorm_backward_stats", (long) batch * groups, List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(gamma),
                Arg.buffer(stats), Arg.of(batch), Arg.of(channels), Arg.of(spatial), Arg.of(groups), Arg.flag(affine), Arg.of(eps))));
        if (dx != Arg.NO_BUFFER) {
            out.add(Launch.linear("groupnorm_backward_data", (long) batch * channels * spatial, List.of(Arg.buffer(x), Arg.buffer(dy),
                    Arg.buffer(gamma), Arg.buffer(stats), Arg.buffer(dx), Arg.of(batch), Arg.of(channels), Arg.of(spatial), Arg.of(groups),
                    Arg.flag(affine), Arg.of(beta))));
        }
        if (dgamma != Arg.NO_BUFFER) {
            out.add(Launch.linear("groupnorm_backward_params", channels, List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(stats),
                    Arg.buffer(dgamma), Arg.buffer(dbeta), Arg.of(batch), Arg.of(channels), Arg.of(spatial), Arg.of(groups))));
        }
        return out;
    }

    public static Launch maxPoolBackward(int x, int dy, int dx, int batch, PoolGeometry g, float beta) {
        long total = (long) batch * g.channels() * g.inH() * g.inW();
        return Launch.linear("maxpool_backward", total, List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(dx), Arg.of(Math.toIntExact(total)),
                Arg.of(g.inH()), Arg.of(g.inW()), Arg.of(g.outH()), Arg.of(g.outW()), Arg.of(g.kernelH()), Arg.of(g.kernelW()),
                Arg.of(g.strideH()), Arg.of(g.strideW()), Arg.of(g.padTop()), Arg.of(g.padLeft()), Arg.of(beta)));
    }

    public static Launch avgPoolBackward(int dy, int dx, int batch, PoolGeometry g, float beta) {
        long total = (long) batch * g.channels() * g.inH() * g.inW();
        return Launch.linear("avgpool_backward", total, List.of(Arg.buffer(dy), Arg.buffer(dx), Arg.of(Math.toIntExact(total)),
                Arg.of(g.inH()), Arg.of(g.inW()), Arg.of(g.outH()), Arg.of(g.outW()), Arg.of(g.kernelH()), Arg.of(g.kernelW()),
                Arg.of(g.strideH()), Arg.of(g.strideW()), Arg.of(g.padTop()), Arg.of(g.padLeft()), Arg.of(g.padBottom()), Arg.of(g.padRight()),
                Arg.of(beta)));
    }

    public static Launch adaptiveAvgPoolBackward(int dy, int dx, int rows, int inH, int inW, int outH, int outW, float beta) {
        long total = (long) rows * inH * inW;
        return Launch.linear("adaptive_avgpool_backward", total, List.of(Arg.buffer(dy), Arg.buffer(dx), Arg.of(Math.toIntExact(total)),
                Arg.of(inH), Arg.of(inW), Arg.of(outH), Arg.of(outW), Arg.of(beta)));
    }

    /** nn.Upsample's input gradient from dy ({@code planes} planes of inH x inW in). */
    public static Launch upsampleBackward(int dy, int dx, int planes, int inH, int inW, int sh, int sw, boolean bilinear, boolean alignCorners,
                                          float beta) {
        long total = (long) planes * inH * inW;
        return Launch.linear("upsample_backward", total, List.of(Arg.buffer(dy), Arg.buffer(dx), Arg.of(Math.toIntExact(total)),
                Arg.of(inH), Arg.of(inW), Arg.of(sh), Arg.of(sw), Arg.flag(bilinear), Arg.flag(alignCorners), Arg.of(beta)));
    }

    public static Launch globalPoolBackward(int x, int dy, int dx, int rows, int spatial, boolean max, float beta) {
        return new Launch("global_pool_backward", new long[] {64L * rows, 1, 1}, new long[] {64, 1, 1},
                List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(dx), Arg.of(spatial), Arg.flag(max), Arg.of(beta)));
    }

    public static Launch bnTrainStats(int x, int mean, int invStd, int runningMean, int runningVar, int batch, int channels, int spatial,
                                      float eps, float momentum) {
        return new Launch("bn_train_stats", new long[] {64L * channels, 1, 1}, new long[] {64, 1, 1},
                List.of(Arg.buffer(x), Arg.buffer(mean), Arg.buffer(invStd), Arg.buffer(runningMean), Arg.buffer(runningVar),
                        Arg.of(batch), Arg.of(channels), Arg.of(spatial), Arg.of(eps), Arg.of(momentum)));
    }

    public static Launch bnTrainApply(int x, int y, int mean, int invStd, int gamma, int beta, int batch, int channels, int spatial) {
        long count = (long) batch * channels * spatial;
        return Launch.linear("bn_train_apply", count, List.of(Arg.buffer(x), Arg.buffer(y), Arg.buffer(mean), Arg.buffer(invStd),
                Arg.buffer(gamma), Arg.buffer(beta), Arg.of(Math.toIntExact(count)), Arg.of(channels), Arg.of(spatial)));
    }

    /** {@code sums} holds 2 * channels floats, read by {@link #bnBackwardData}. */
    public static Launch bnBackwardReduce(int x, int dy, int mean, int invStd, int dgamma, int dbeta, int sums, int batch, int channels, int spatial) {
        return new Launch("bn_backward_reduce", new long[] {64L * channels, 1, 1}, new long[] {64, 1, 1},
                List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(mean), Arg.buffer(invStd), Arg.buffer(dgamma), Arg.buffer(dbeta),
                        Arg.buffer(sums), Arg.of(batch), Arg.of(channels), Arg.of(spatial)));
    }

    public static Launch bnBackwardData(int x, int dy, int dx, int mean, int invStd, int gamma, int sums, int batch, int channels, int spatial,
                                        float beta) {
        long count = (long) batch * channels * spatial;
        return Launch.linear("bn_backward_data", count, List.of(Arg.buffer(x), Arg.buffer(dy), Arg.buffer(dx), Arg.buffer(mean),
                Arg.buffer(invStd), Arg.buffer(gamma), Arg.buffer(sums), Arg.of(Math.toIntExact(count)), Arg.of(channels), Arg.of(spatial),
                Arg.of(beta)));
    }

    /** {@code stats} holds 2 * batch floats: per-sample loss, then 1 per correct top-1. */
    public static Launch softmaxCrossEntropy(int logits, int labels, int dlogits, int stats, int batch, int classes, float smoothing) {
        return Launch.linear("softmax_xent", batch, List.of(Arg.buffer(logits), Arg.buffer(labels), Arg.buffer(dlogits), Arg.buffer(stats),
                Arg.of(batch), Arg.of(classes), Arg.of(smoothing)));
    }

    /** {@code buffer} (momentum) may be {@link Arg#NO_BUFFER} when momentum is 0. */
    public static Launch sgdStep(int param, int grad, int buffer, long count, float lr, float momentum, float weightDecay, boolean nesterov,
                                 boolean first) {
        return Launch.linear("sgd_step", count, List.of(Arg.buffer(param), Arg.buffer(grad), Arg.buffer(buffer), Arg.of(Math.toIntExact(count)),
                Arg.of(lr), Arg.of(momentum), Arg.of(weightDecay), Arg.flag(nesterov), Arg.flag(first)));
    }

    /** Adam or AdamW ({@code decoupled}) on one tensor; {@code c1}, {@code c2}: the step's bias corrections; {@code first}: the moments start at zero. */
    public static Launch adamStep(int param, int grad, int m, int v, long count, float lr, float beta1, float beta2, float eps, float weightDecay,
                                  boolean decoupled, float c1, float c2, boolean first) {
        return Launch.linear("adam_step", count, List.of(Arg.buffer(param), Arg.buffer(grad), Arg.buffer(m), Arg.buffer(v),
                Arg.of(Math.toIntExact(count)), Arg.of(lr), Arg.of(beta1), Arg.of(beta2), Arg.of(eps), Arg.of(weightDecay), Arg.flag(decoupled),
                Arg.of(c1), Arg.of(c2), Arg.flag(first)));
    }
}
