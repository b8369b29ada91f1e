package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;

/** One way of computing a convolution (direct, im2col + GEMM, Winograd...). */
public interface ConvStrategy {

    /** A short stable name used in tuning caches and reports: {@code direct}, {@code winograd-f43}... */
    String name();

    /**
     * Whether the kernel reads and writes channel-blocked tensors (NCHW16c, see
     * {@link io.cnnc.kernels.cpu.layout.Nchwc}) instead of NCHW; the residual is blocked too.
     */
    default boolean blocked() {
        return false;
    }

    /** Whether this strategy computes {@code g} at all (Winograd only does 3x3 stride 1, say). */
    boolean supports(ConvGeometry g);

    /**
     * Prepares a kernel for {@code g}; {@code weight} is PyTorch's [outC, inC/groups, kH, kW]
     * and is not modified. Throws IllegalArgumentException when {@link #supports} is false.
     */
    ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel);
}
