package io.cnnc.compiler.ir;

/**
 * How a value's elements lie in memory. Shapes stay logical (N, C, H, W) whatever the layout;
 * only the generated CPU code and the kernels it calls see the difference.
 */
public enum Layout {
    /** Plain row-major N, C, H, W: what every reference kernel, input and output uses. */
    NCHW,
    /** Channels in blocks of 16 innermost (N, C/16, H, W, 16): see io.cnnc.kernels.cpu.layout.Nchwc. */
    NCHW16C
}
