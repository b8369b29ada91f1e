package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import java.util.List;
import java.util.Locale;

/**
 * Every conv strategy the CPU back end has, each a constant that generated code refers to (so
 * a strategy renamed or removed is a compile error there, not a failed look-up at run time), and
 * by name, the stable text form of tuning caches, reports and {@code --strategies}. A
 * constant's name is its strategy's name in upper case with '_' for '-' ({@link #constantName}).
 */
public final class ConvStrategies {

    private ConvStrategies() {}

    public static final GemmConvStrategy IM2COL_GEMM = GemmConvStrategy.im2col();
    public static final GemmConvStrategy GEMM_1X1 = GemmConvStrategy.pointwise();
    public static final PixelGemmStrategy PIXEL_GEMM = new PixelGemmStrategy();
    public static final DirectNchwcStrategy DIRECT_NCHWC = new DirectNchwcStrategy();
    public static final DirectNchwcStrategy DIRECT_NCHWC_PLANAR = DirectNchwcStrategy.planarIo();
    public static final DirectNchwcStrategy DIRECT_NCHWC_PLANAR_IN = DirectNchwcStrategy.planarIn();
    public static final DepthwiseStrategy DEPTHWISE = new DepthwiseStrategy();
    public static final DepthwiseNchwcStrategy DEPTHWISE_NCHWC = new DepthwiseNchwcStrategy();
    public static final DirectStrategy DIRECT = new DirectStrategy();
    public static final WinogradF23Strategy WINOGRAD_F23 = new WinogradF23Strategy();
    public static final WinogradF43Strategy WINOGRAD_F43 = new WinogradF43Strategy();
    public static final WinogradNchwcStrategy WINOGRAD_F23_NCHWC = WinogradNchwcStrategy.f23();
    public static final WinogradNchwcStrategy WINOGRAD_F43_NCHWC = WinogradNchwcStrategy.f43();

    private static final List<ConvStrategy> STRATEGIES = List.of(IM2COL_GEMM, GEMM_1X1, PIXEL_GEMM, DIRECT_NCHWC, DIRECT_NCHWC_PLANAR,
            DIRECT_NCHWC_PLANAR_IN, DEPTHWISE, DEPTHWISE_NCHWC, DIRECT, WINOGRAD_F23, WINOGRAD_F43, WINOGRAD_F23_NCHWC, WINOGRAD_F43_NCHWC);

    public static List<ConvStrategy> all() {
        return STRATEGIES;
    }

    /** The strategy a name stands for; IllegalArgumentException for a name no strategy has. */
    public static ConvStrategy byName(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no conv strategy '" + name + "'"));
    }

    /** The name of the constant of this class that holds {@code s}. */
    public static String constantName(ConvStrategy s) {
        return s.name().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public static List<ConvStrategy> candidates(ConvGeometry g) {
        return all().stream().filter(s -> s.supports(g)).toList();
    }
}
