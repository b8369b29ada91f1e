package io.cnnc.kernels;

/** Per-sample geometry of a pooling window, padding possibly asymmetric, floor or ceil mode. */
public record PoolGeometry(int channels, int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight, boolean ceil) {

    public PoolGeometry {
        if (channels < 1 || inH < 1 || inW < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1
                || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("invalid pooling geometry " + this);
        }
    }

    public int outH() {
        return OutputSize.pool(inH, kernelH, strideH, padTop, padBottom, ceil);
    }

    public int outW() {
        return OutputSize.pool(inW, kernelW, strideW, padLeft, padRight, ceil);
    }
}
