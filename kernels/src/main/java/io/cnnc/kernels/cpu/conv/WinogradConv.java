package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;

/**
 * Winograd convolution F(m x m, 3 x 3) for 3x3, stride 1, undilated, ungrouped layers with any
 * padding and input size; the subclasses only pick the transform. See {@link WinogradKernel}.
 */
public abstract class WinogradConv implements ConvStrategy {

    private final String name;
    private final WinogradTransform transform;

    protected WinogradConv(String name, WinogradTransform transform) {
        this.name = name;
        this.transform = transform;
    }

    @Override
    public final String name() {
        return name;
    }

    public final WinogradTransform transform() {
        return transform;
    }

    @Override
    public final boolean approximate() {
        return true;
    }

    @Override
    public final boolean supports(ConvGeometry g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.groups() == 1;
    }

    @Override
    public final ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (!supports(g)) throw new IllegalArgumentException(name + " does not support " + g);
        return new WinogradKernel(transform, g, weight, epilogue, parallel);
    }

    /**
     * Fewer multiplies plus the transforms; the tiles travel, and the transformed weights (t*t/9
     * times the raw ones), in a network whose weights outgrow the last-level cache, come from
     * memory on every pass.
     */
    @Override
    public final ConvWork work(ConvGeometry g, int threads) {
        ConvWork direct = ConvWork.padded(g, 1, "");
        int a = transform.t();
        double tiles = transform.tiles(g);
        double transformFlops = transform.transformFlops(g);
        double total = direct.flops() / transform.multiplyReduction() + transformFlops;
        double weights = g.weightCount();
        double transformedWeights = weights * (a * a / 9.0 - 1);
        return direct.with(total, direct.bytes() + 4 * tiles * a * a * (g.inC() + g.outC()) + 4 * transformedWeights,
                String.format("%.2fx fewer multiplies than direct, transforms cost %.0f%% of the rest",
                        transform.multiplyReduction(), 100 * transformFlops / Math.max(1, total - transformFlops)));
    }
}
