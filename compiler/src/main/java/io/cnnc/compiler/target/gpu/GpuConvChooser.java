package io.cnnc.compiler.target.gpu;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.gpu.Gemm;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import java.util.Locale;

/**
 * Picks a GPU strategy per convolution by rules, not measurements (GPU tuning is not done):
 * depthwise layers get the depthwise kernel; 3x3 stride-1 layers with enough channels get
 * Winograd, whose transforms cost O(C + K) per tile against the 2.25x saving on the O(C K)
 * products; layers whose GEMM fills at least half a 64 x 64 tile in both dimensions get the
 * tiled implicit GEMM; the rest (few output channels, tiny reductions) the direct kernel, which
 * wastes no tile padding.
 */
public final class GpuConvChooser {

    /** Channels in and out from which Winograd's transforms are amortised. */
    static final int WINOGRAD_MIN_CHANNELS = 16;
    /** Output channels per group and reduction length from which a GEMM tile is at least half used. */
    static final int GEMM_MIN = Gemm.HALF_TILE;

    private GpuConvChooser() {}

    public record Choice(GpuConvStrategy strategy, String reason) {}

    public static Choice choose(ConvGeometry g) {
        int icg = g.inC() / g.groups();
        int ocg = g.outC() / g.groups();
        int k = icg * g.kernelH() * g.kernelW();
        if (GpuConvStrategy.DEPTHWISE.supports(g)) {
            return new Choice(GpuConvStrategy.DEPTHWISE, "depthwise (groups = input channels): one input channel per output, patch in local memory");
        }
        if (GpuConvStrategy.WINOGRAD.supports(g) && g.inC() >= WINOGRAD_MIN_CHANNELS && g.outC() >= WINOGRAD_MIN_CHANNELS) {
            return new Choice(GpuConvStrategy.WINOGRAD, String.format(Locale.ROOT,
                    "3x3 stride 1, %d->%d channels: F(2x2,3x3) does 2.25x fewer multiplies", g.inC(), g.outC()));
        }
        if (ocg >= GEMM_MIN && k >= GEMM_MIN) {
            return new Choice(GpuConvStrategy.GEMM, String.format(Locale.ROOT,
                    "GEMM %d x %d x %d fills 64x64 tiles", ocg, k, g.outH() * g.outW()));
        }
        return new Choice(GpuConvStrategy.DIRECT, String.format(Locale.ROOT,
                "%d output channels per group, reduction %d: too small for 64x64 GEMM tiles", ocg, k));
    }
}
