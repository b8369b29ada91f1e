package io.cnnc.kernels.cpu;

/**
 * Channels {@code [start, end)} of {@code [batch, channels, spatial]} arrays, as PyTorch's
 * {@code x[:, start:end]} (and {@code torch.chunk} / {@code torch.split} on channels). Each
 * sample's slice is one contiguous run, so the forward is a copy per sample and the gradient
 * that copy back with zeros around it.
 */
public final class ChannelSlice {

    /** Below this many floats per task another core is not worth waking. */
    private static final int MIN_TASK_FLOATS = 32_768;

    private ChannelSlice() {}

    /** The reference forward: one element at a time, as the definition reads. */
    public static void reference(float[] x, int batch, int channels, int start, int end, int spatial, float[] y) {
        int width = end - start;
        for (int n = 0; n < batch; n++) {
            for (int c = start; c < end; c++) {
                for (int s = 0; s < spatial; s++) y[((n * width) + c - start) * spatial + s] = x[(n * channels + c) * spatial + s];
            }
        }
    }

    /** The fast forward: a copy per sample, samples shared over threads when the layer is large. */
    public static void forward(float[] x, int batch, int channels, int start, int end, int spatial, float[] y, Parallel p) {
        int run = (end - start) * spatial;
        Chunks.forRanges(p, batch, Math.max(1, MIN_TASK_FLOATS / Math.max(1, run)), 1, (from, to) -> {
            for (int n = from; n < to; n++) System.arraycopy(x, (n * channels + start) * spatial, y, n * run, run);
        });
    }

    /** dx: dy in the slice's channels, zero in the others (every element written). */
    public static void backward(float[] dy, int batch, int channels, int start, int end, int spatial, float[] dx) {
        int run = (end - start) * spatial;
        int sample = channels * spatial;
        for (int n = 0; n < batch; n++) {
            int base = n * sample;
            java.util.Arrays.fill(dx, base, base + start * spatial, 0f);
            System.arraycopy(dy, n * run, dx, base + start * spatial, run);
            java.util.Arrays.fill(dx, base + end * spatial, base + sample, 0f);
        }
    }
}
