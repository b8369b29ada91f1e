package io.cnnc.compiler.ops;

/** Kernel extent, stride and dilation of an op along H and W. */
public record Window(int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW) {

    public static final Window POINTWISE = new Window(1, 1, 1, 1, 1, 1);
}
