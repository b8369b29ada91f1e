package io.cnnc.kernels.cpu;

/**
 * PyTorch's {@code nn.ChannelShuffle(groups)} on {@code [batch, channels, spatial]} arrays:
 * output channel {@code i * groups + j} is input channel {@code j * (channels / groups) + i}.
 * The reference, its gradient and the fast forward live together because each is a copy of
 * whole planes in the same order.
 */
public final class ChannelShuffle {

    /** Planes below this many floats per task are not worth waking another core for. */
    private static final int MIN_TASK_FLOATS = 32_768;

    private ChannelShuffle() {}

    /** The input channel that output channel {@code out} copies. */
    public static int source(int out, int channels, int groups) {
        return (out % groups) * (channels / groups) + out / groups;
    }

    /** The reference forward: one element at a time, as the definition reads. */
    public static void reference(float[] x, int batch, int channels, int groups, int spatial, float[] y) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int to = (n * channels + c) * spatial;
                int from = (n * channels + source(c, channels, groups)) * spatial;
                for (int s = 0; s < spatial; s++) y[to + s] = x[from + s];
            }
        }
    }

    /** The gradient: each output plane's gradient goes back to the input plane it copied (the inverse permutation). */
    public static void backward(float[] dy, int batch, int channels, int groups, int spatial, float[] dx) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int from = (n * channels + c) * spatial;
                int to = (n * channels + source(c, channels, groups)) * spatial;
                for (int s = 0; s < spatial; s++) dx[to + s] = dy[from + s];
            }
        }
    }

    /** The fast forward: whole planes with System.arraycopy, shared over threads when the layer is large. */
    public static void forward(float[] x, int batch, int channels, int groups, int spatial, float[] y, Parallel p) {
        int minPlanes = Math.max(1, MIN_TASK_FLOATS / Math.max(1, spatial));
        Chunks.forRanges(p, batch * channels, minPlanes, 1, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                int n = nc / channels;
                int src = n * channels + source(nc - n * channels, channels, groups);
                System.arraycopy(x, src * spatial, y, nc * spatial, spatial);
            }
        });
    }
}
