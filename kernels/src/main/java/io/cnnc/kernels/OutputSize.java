package io.cnnc.kernels;

/** The output-size formulas of convolution and pooling: the one place they are written. */
public final class OutputSize {

    private OutputSize() {}

    /**
     * floor((in + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1, PyTorch's Conv2d formula.
     * Returns 0 when the dilated kernel does not fit the padded input; callers report it.
     */
    public static int conv(int in, int k, int stride, int padBefore, int padAfter, int dilation) {
        long span = (long) in + padBefore + padAfter - (long) dilation * (k - 1) - 1;
        return clamp(Math.floorDiv(span, stride) + 1);
    }

    /**
     * PyTorch's pooling_output_shape: floor or ceil of (in + padBefore + padAfter - k) / stride, plus 1;
     * in ceil mode a last window that would start past the input and its leading padding is dropped,
     * since it would see only trailing padding. The division rounds toward minus infinity, so, as in
     * PyTorch, ceil mode with a window just larger than the input still gives one output
     * (in 2, k 3, stride 2: ceil(-1/2) + 1 = 1) while floor mode gives 0. Returns 0 when nothing fits.
     */
    public static int pool(int in, int k, int stride, int padBefore, int padAfter, boolean ceil) {
        long span = (long) in + padBefore + padAfter - k;
        long out = Math.floorDiv(span + (ceil ? stride - 1 : 0), stride) + 1;
        if (ceil && (out - 1) * stride >= (long) in + padBefore) out--;
        return clamp(out);
    }

    // Negative counts mean the same as 0 and would only read oddly in error messages ("-2x-2");
    // sizes past int range are nonsense either way, but must not wrap to a plausible value.
    private static int clamp(long out) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, out));
    }
}
