package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import java.util.List;

/** Every conv strategy the CPU back end has, by name. */
public final class ConvStrategies {

    private ConvStrategies() {}

    private static final List<ConvStrategy> STRATEGIES = List.of(
            GemmConvStrategy.im2col(),
            GemmConvStrategy.pointwise(),
            new PixelGemmStrategy(),
            new DirectNchwcStrategy(),
            DirectNchwcStrategy.planarIo(),
            DirectNchwcStrategy.planarIn(),
            new DepthwiseStrategy(),
            new DepthwiseNchwcStrategy(),
            new DirectStrategy(),
            new WinogradF23Strategy(),
            new WinogradF43Strategy(),
            WinogradNchwcStrategy.f23(),
            WinogradNchwcStrategy.f43());

    public static List<ConvStrategy> all() {
        return STRATEGIES;
    }

    public static ConvStrategy byName(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no conv strategy '" + name + "'"));
    }

    public static List<ConvStrategy> candidates(ConvGeometry g) {
        return all().stream().filter(s -> s.supports(g)).toList();
    }
}
