package io.cnnc.kernels;

/** Per-sample NCHW geometry of a 2-D convolution, padding possibly asymmetric. */
public record ConvGeometry(int inC, int inH, int inW, int outC, int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW, int groups) {

    public ConvGeometry {
        if (inC < 1 || inH < 1 || inW < 1 || outC < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1
                || dilationH < 1 || dilationW < 1 || groups < 1 || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("invalid convolution geometry " + this);
        }
        if (inC % groups != 0 || outC % groups != 0) {
            throw new IllegalArgumentException("channels " + inC + " -> " + outC + " are not divisible by groups " + groups);
        }
        if (OutputSize.conv(inH, kernelH, strideH, padTop, padBottom, dilationH) < 1
                || OutputSize.conv(inW, kernelW, strideW, padLeft, padRight, dilationW) < 1) {
            throw new IllegalArgumentException("convolution output would be empty: " + this);
        }
    }

    public int outH() {
        return OutputSize.conv(inH, kernelH, strideH, padTop, padBottom, dilationH);
    }

    public int outW() {
        return OutputSize.conv(inW, kernelW, strideW, padLeft, padRight, dilationW);
    }

    public long macsPerSample() {
        return (long) outC * outH() * outW() * (inC / groups) * kernelH * kernelW;
    }
}
