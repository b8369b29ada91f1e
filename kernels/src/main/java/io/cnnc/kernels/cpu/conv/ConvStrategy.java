package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;

/** One way of computing a convolution (direct, im2col + GEMM, Winograd...). */
public interface ConvStrategy {

    /** A short stable name used in tuning caches and reports: {@code direct}, {@code winograd-f43}... */
    String name();

    /**
     * Whether the kernel reads and writes channel-blocked tensors (NCHW16c, see
     * {@link io.cnnc.kernels.cpu.layout.Nchwc}) instead of NCHW; the residual is blocked too. The
     * input is blocked only when its channels fill blocks ({@link io.cnnc.kernels.cpu.layout.Nchwc#blocks});
     * otherwise (a 3-channel image) a blocked kernel reads it as NCHW.
     */
    default boolean blocked() {
        return false;
    }

    /**
     * Whether its results carry more rounding error than a direct sum of products (Winograd's
     * transforms, docs/kernels.md): {@code --no-winograd} keeps these out.
     */
    default boolean approximate() {
        return false;
    }

    /**
     * Whether this strategy is a candidate for {@code g} on this CPU: it computes {@code g} at all
     * (Winograd only does 3x3 stride 1, say) and its vectors are native here.
     */
    boolean supports(ConvGeometry g);

    /**
     * Whether {@link #prepare} accepts {@code g}, whatever this CPU's vector width: a kernel whose
     * vectors are emulated here is correct but too slow to offer, and its tests still run it.
     */
    default boolean computes(ConvGeometry g) {
        return supports(g);
    }

    /**
     * What this strategy does for one sample of {@code g} on {@code threads} threads, for the cost
     * model: its arithmetic with the padding its register blocks and vectors compute, its memory
     * traffic, its gathers. Only how some kernels cut their work depends on the threads.
     */
    ConvWork work(ConvGeometry g, int threads);

    /**
     * The key of the calibrated efficiency this strategy reaches on {@code g}: its name, with
     * {@code .grouped} for a grouped (not depthwise) layer, whose loops run on narrow matrices.
     */
    default String efficiencyKey(ConvGeometry g) {
        return g.groups() > 1 ? name() + ".grouped" : name();
    }

    /**
     * Prepares a kernel for {@code g}; {@code weight} is PyTorch's [outC, inC/groups, kH, kW]
     * and is not modified. Throws IllegalArgumentException when {@link #computes} is false.
     */
    ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel);
}
