package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;

/**
 * Winograd F(2x2,3x3) or F(4x4,3x3) on channel-blocked tensors (NCHWc in and out), for the
 * layers {@link WinogradConv} takes whose channel counts are multiples of the block: the transforms are
 * vector sums across a block's channels and the products run on direct-nchwc's register blocks
 * ({@link WinogradNchwcKernel}). Same transforms, same error bounds as the planar kernels.
 */
public final class WinogradNchwcStrategy implements ConvStrategy {

    private final String name;
    private final WinogradTransform transform;

    private WinogradNchwcStrategy(String name, WinogradTransform transform) {
        this.name = name;
        this.transform = transform;
    }

    public static WinogradNchwcStrategy f23() {
        return new WinogradNchwcStrategy("winograd-f23-nchwc", WinogradTransform.F23);
    }

    public static WinogradNchwcStrategy f43() {
        return new WinogradNchwcStrategy("winograd-f43-nchwc", WinogradTransform.F43);
    }

    @Override
    public String name() {
        return name;
    }

    public WinogradTransform transform() {
        return transform;
    }

    @Override
    public boolean blocked() {
        return true;
    }

    @Override
    public boolean approximate() {
        return true;
    }

    @Override
    public boolean supports(ConvGeometry g) {
        return Nchwc.nativeVectors() && computes(g);
    }

    @Override
    public boolean computes(ConvGeometry g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.groups() == 1
                && Nchwc.blocks(g.inC()) && Nchwc.blocks(g.outC());
    }

    @Override
    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (!computes(g)) throw new IllegalArgumentException(name + " does not compute " + g);
        return new WinogradNchwcKernel(transform, g, weight, epilogue, parallel);
    }

    /**
     * The same register blocks as direct-nchwc over tiles of m x m pixels (partial tiles at the
     * edges count whole); the transforms are elementwise over a block's channels, and every block of
     * tiles streams all the transformed weights (t*t/9 the raw ones).
     */
    @Override
    public ConvWork work(ConvGeometry g, int threads) {
        int m = transform.m(), a = transform.t();
        int tilesX = (g.outW() + m - 1) / m, tilesY = (g.outH() + m - 1) / m;
        double padding = NchwcRegisterBlocks.groupPadding(g.outC()) * (tilesX * tilesY * m * m) / (g.outH() * g.outW())
                * NchwcRegisterBlocks.stepPadding(tilesX * tilesY, NchwcRegisterBlocks.lastGroupWidth(g.outC()));
        double tiles = transform.tiles(g);
        double transformFlops = transform.transformFlops(g);
        double total = ConvWork.flops(g, padding) / transform.multiplyReduction() + transformFlops;
        double weights = g.weightCount();
        int blocks = WinogradNchwcKernel.blocksPerSample(transform, g, threads);
        return new ConvWork(total, 4 * (ConvWork.inputFloats(g) + ConvWork.outputFloats(g)) + 4 * tiles * a * a * (g.inC() + g.outC())
                + 4 * weights * a * a / 9.0 * blocks, padding, 0,
                String.format(Nchwc.NAME + ": %.2fx fewer multiplies than direct, transforms elementwise on channel vectors, %d block(s) of tiles "
                        + "each streaming the transformed weights", transform.multiplyReduction(), blocks));
    }
}
