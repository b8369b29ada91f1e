package io.cnnc.kernels;

/**
 * Per-sample NCHW geometry of a 2-D convolution, padding possibly asymmetric (PyTorch users get
 * asymmetric padding from F.pad; "same" padding with an even kernel needs it too).
 * Weight layout is PyTorch's: [outC, inC/groups, kernelH, kernelW]; output channel o reads the
 * input channels of group o / (outC/groups), so depthwise with multiplier m is groups = inC, outC = inC*m.
 */
public record ConvGeometry(int inC, int inH, int inW, int outC, int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW, int groups) {

    public ConvGeometry {
        GeometryChecks.positive("input channels", inC);
        GeometryChecks.positive("input height", inH);
        GeometryChecks.positive("input width", inW);
        GeometryChecks.positive("output channels", outC);
        GeometryChecks.positive("kernel height", kernelH);
        GeometryChecks.positive("kernel width", kernelW);
        GeometryChecks.positive("stride height", strideH);
        GeometryChecks.positive("stride width", strideW);
        GeometryChecks.positive("dilation height", dilationH);
        GeometryChecks.positive("dilation width", dilationW);
        GeometryChecks.positive("groups", groups);
        GeometryChecks.notNegative("top padding", padTop);
        GeometryChecks.notNegative("left padding", padLeft);
        GeometryChecks.notNegative("bottom padding", padBottom);
        GeometryChecks.notNegative("right padding", padRight);
        if (inC % groups != 0) {
            throw new IllegalArgumentException("input channels " + inC + " are not divisible by groups " + groups);
        }
        if (outC % groups != 0) {
            throw new IllegalArgumentException("output channels " + outC + " are not divisible by groups " + groups);
        }
        int outH = OutputSize.conv(inH, kernelH, strideH, padTop, padBottom, dilationH);
        int outW = OutputSize.conv(inW, kernelW, strideW, padLeft, padRight, dilationW);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("convolution output would be " + outH + "x" + outW + ": input " + inH + "x" + inW
                    + " padded " + padTop + "," + padLeft + "," + padBottom + "," + padRight + " (top, left, bottom, right) is smaller than kernel "
                    + kernelH + "x" + kernelW + " dilated " + dilationH + "x" + dilationW);
        }
    }

    public int outH() {
        return OutputSize.conv(inH, kernelH, strideH, padTop, padBottom, dilationH);
    }

    public int outW() {
        return OutputSize.conv(inW, kernelW, strideW, padLeft, padRight, dilationW);
    }

    /** Floats of the weight tensor, [outC, inC/groups, kernelH, kernelW]. */
    public int weightCount() {
        return outC * (inC / groups) * kernelH * kernelW;
    }

    /** Multiply-accumulates per sample: each output reads inC/groups channels times the kernel window. */
    public long macsPerSample() {
        return (long) outC * outH() * outW() * (inC / groups) * kernelH * kernelW;
    }
}
