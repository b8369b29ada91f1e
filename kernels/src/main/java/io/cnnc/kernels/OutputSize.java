package io.cnnc.kernels;

/** The output-size formulas of convolution and pooling: the one place they are written. */
public final class OutputSize {

    private OutputSize() {}

    /** floor((in + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1; may be <= 0 for invalid configurations. */
    public static int conv(int in, int k, int stride, int padBefore, int padAfter, int dilation) {
        long span = (long) in + padBefore + padAfter - (long) dilation * (k - 1) - 1;
        if (span < 0) return 0;
        return (int) Math.min(Integer.MAX_VALUE, span / stride + 1);
    }

    /** As {@link #conv} with dilation 1; in ceil mode the last window must start inside the input or left padding (PyTorch). */
    public static int pool(int in, int k, int stride, int padBefore, int padAfter, boolean ceil) {
        long span = (long) in + padBefore + padAfter - k;
        if (span < 0) return 0;
        long out = (ceil ? Math.ceilDiv(span, stride) : span / stride) + 1;
        if (ceil && (out - 1) * stride >= (long) in + padBefore) out--;
        return (int) Math.min(Integer.MAX_VALUE, out);
    }
}
