package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Im2colConv;

/** The ways the CPU computes a convolution's weight gradient, by the name plans and reports give them. */
public enum WeightGradientForm {

    /** Vectors along the pixels, over im2col rows or the input's shifted rows ({@link Im2colConv#backward}). */
    LANE_PARTIAL("lane-partial"),
    /** Vectors across input channels, the input copied channels last ({@link ChannelsLastWeightGradient}). */
    CHANNELS_LAST("channels-last"),
    /** One input channel per group: each tap a flat dot product over the input's stride phases ({@link DepthwiseWeightGradient}). */
    DEPTHWISE("depthwise");

    private final String label;

    WeightGradientForm(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether this form computes {@code g}'s weight gradient. */
    public boolean applies(ConvGeometry g) {
        return switch (this) {
            case LANE_PARTIAL -> true;
            case CHANNELS_LAST -> ChannelsLastWeightGradient.applies(g);
            case DEPTHWISE -> DepthwiseWeightGradient.applies(g);
        };
    }

    /** Whether this form reads NCHWc ({@link io.cnnc.kernels.cpu.layout.Nchwc}) x and dy in place; the others read NCHW only. */
    public boolean readsBlocked() {
        return this == CHANNELS_LAST;
    }

    /** dw += the weight gradient of {@code batch} samples. */
    public void accumulate(float[] x, float[] dy, int batch, ConvGeometry g, float[] dw) {
        accumulate(x, false, dy, false, batch, g, dw);
    }

    /** As above, x and dy NCHWc where {@code xBlocked} and {@code dyBlocked}: only for a form that {@link #readsBlocked}. */
    public void accumulate(float[] x, boolean xBlocked, float[] dy, boolean dyBlocked, int batch, ConvGeometry g, float[] dw) {
        if ((xBlocked || dyBlocked) && !readsBlocked()) throw new IllegalArgumentException(label + " reads NCHW tensors only");
        switch (this) {
            case CHANNELS_LAST -> ChannelsLastWeightGradient.accumulate(x, xBlocked, dy, dyBlocked, batch, g, dw);
            case DEPTHWISE -> DepthwiseWeightGradient.accumulate(x, dy, batch, g, dw);
            case LANE_PARTIAL -> Im2colConv.backward(x, dy, batch, g, null, null, dw, null);
        }
    }
}
