package io.cnnc.kernels;

/**
 * Per-sample geometry of a max or average pooling window, padding possibly asymmetric, floor or
 * ceil mode. Output sizes are PyTorch's (see {@link OutputSize#pool}).
 */
public record PoolGeometry(int channels, int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight, boolean ceil) {

    public PoolGeometry {
        GeometryChecks.positive("channels", channels);
        GeometryChecks.positive("input height", inH);
        GeometryChecks.positive("input width", inW);
        GeometryChecks.positive("kernel height", kernelH);
        GeometryChecks.positive("kernel width", kernelW);
        GeometryChecks.positive("stride height", strideH);
        GeometryChecks.positive("stride width", strideW);
        GeometryChecks.notNegative("top padding", padTop);
        GeometryChecks.notNegative("left padding", padLeft);
        GeometryChecks.notNegative("bottom padding", padBottom);
        GeometryChecks.notNegative("right padding", padRight);
        int outH = OutputSize.pool(inH, kernelH, strideH, padTop, padBottom, ceil);
        int outW = OutputSize.pool(inW, kernelW, strideW, padLeft, padRight, ceil);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("pooling output would be " + outH + "x" + outW + ": input " + inH + "x" + inW
                    + " padded " + padTop + "," + padLeft + "," + padBottom + "," + padRight + " (top, left, bottom, right) is smaller than window "
                    + kernelH + "x" + kernelW);
        }
    }

    public int outH() {
        return OutputSize.pool(inH, kernelH, strideH, padTop, padBottom, ceil);
    }

    public int outW() {
        return OutputSize.pool(inW, kernelW, strideW, padLeft, padRight, ceil);
    }
}
