package io.cnnc.compiler.ir;

import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.Locale;

/**
 * How a value's elements lie in memory. Shapes stay logical (N, C, H, W) whatever the layout;
 * only the generated CPU code and the kernels it calls see the difference.
 */
public enum Layout {
    /** Plain row-major N, C, H, W: what every reference kernel, input and output uses. */
    NCHW,
    /**
     * Channels in blocks of one vector innermost (N, C/b, H, W, b): NCHW16c with AVX-512's
     * vectors, NCHW8c with AVX2's; see io.cnnc.kernels.cpu.layout.Nchwc.
     */
    NCHWC;

    /** The name plans print: nchw, nchw16c or nchw8c. */
    public String label() {
        return (this == NCHW ? "NCHW" : Nchwc.NAME).toLowerCase(Locale.ROOT);
    }
}
