package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;

/**
 * Direct convolution on channel-blocked tensors (NCHWc in, NCHWc out): one vector holds a block
 * of output channels of one pixel; 4 blocks x 6 pixels (2 x 6 with AVX2's 8-channel blocks) are
 * accumulated in registers, each weight
 * vector loaded once per input channel and each input value broadcast ({@link NchwcDirectKernel}).
 * No im2col at run time, any kernel size, stride, padding and dilation; groups 1 and channel
 * counts that are multiples of the block. The layout pass puts reorders around it where its neighbours
 * are planar.
 */
public final class DirectNchwcStrategy implements ConvStrategy {

    private static final int B = Nchwc.BLOCK;
    private static final String KERNEL = "direct-nchwc";

    /**
     * Memory traffic direct-nchwc-planar's own layout changes cost per element (the scalar
     * reorder's time on the Xeon at the cost model's bandwidth, docs/compiler.md); its efficiencies
     * are fitted with this term, so it stays when the reorders get faster.
     */
    static final double REORDER_BYTES_PER_ELEMENT = 16;

    private final boolean planar, rawInput;

    /** The kernel on NCHWc tensors ({@code direct-nchwc}). */
    public DirectNchwcStrategy() {
        this(false, false);
    }

    private DirectNchwcStrategy(boolean planar, boolean rawInput) {
        this.planar = planar;
        this.rawInput = rawInput;
    }

    /**
     * The kernel for an input whose channels do not fill blocks, a network's first layer on a
     * 3-channel image ({@code direct-nchwc-planar-in}): the NCHW input read as is, the output
     * NCHWc, so the layers after it (ResNet's max pool) can stay blocked.
     */
    public static DirectNchwcStrategy planarIn() {
        return new DirectNchwcStrategy(false, true);
    }

    /**
     * The same kernel on NCHW tensors ({@code direct-nchwc-planar}): the input is blocked by the
     * copy that adds its border, the output scattered back to planes by the epilogue. Where its
     * neighbours are planar this saves the two reorders a blocked conv costs: MobileNetV2's 1x1
     * layers sit between planar depthwise ones.
     */
    public static DirectNchwcStrategy planarIo() {
        return new DirectNchwcStrategy(true, false);
    }

    public String name() {
        return planar ? KERNEL + "-planar" : rawInput ? KERNEL + "-planar-in" : KERNEL;
    }

    @Override
    public boolean blocked() {
        return !planar;
    }

    public boolean supports(ConvGeometry g) {
        return Nchwc.nativeVectors() && computes(g);
    }

    @Override
    public boolean computes(ConvGeometry g) {
        if (rawInput) return g.groups() == 1 && !Nchwc.blocks(g.inC()) && Nchwc.blocks(g.outC()) && g.dilationW() == 1;
        return g.groups() == 1 && Nchwc.blocks(g.inC()) && Nchwc.blocks(g.outC());
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (!computes(g)) throw new IllegalArgumentException(name() + " does not compute " + g);
        return new NchwcDirectKernel(g, weight, epilogue, parallel, planar);
    }

    /**
     * Padded to the register blocks ({@link NchwcRegisterBlocks}); a planar input's rows of kx
     * taps have no short steps. The input is copied into a zero-bordered plane (read once,
     * written once); the planar variant pays for its layout changes instead.
     */
    @Override
    public ConvWork work(ConvGeometry g, int threads) {
        int pixels = g.outH() * g.outW(), width = NchwcRegisterBlocks.lastGroupWidth(g.outC());
        double padding = NchwcRegisterBlocks.groupPadding(g.outC())
                * (rawInput ? NchwcRegisterBlocks.fullStepPadding(pixels, width) : NchwcRegisterBlocks.stepPadding(pixels, width));
        ConvWork w = ConvWork.padded(g, padding, "");
        double in = ConvWork.inputFloats(g);
        if (planar) {
            return w.with(w.flops(), w.bytes() + REORDER_BYTES_PER_ELEMENT * (in + ConvWork.outputFloats(g)),
                    "direct-nchwc's kernel on NCHW: the input blocked by its border copy, the output scattered to planes");
        }
        boolean bordered = g.padTop() + g.padBottom() + g.padLeft() + g.padRight() > 0;
        return w.with(w.flops(), w.bytes() + (bordered ? 8 * in : 0),
                Nchwc.NAME + ": " + NchwcRegisterBlocks.GROUP_BLOCKS * B + " channels x 6 pixels in registers, input zero-bordered; reorders where neighbours are planar");
    }

    /**
     * The planar variant runs direct-nchwc's kernel with its layout changes counted as bytes, so
     * the two share one efficiency: calibrated apart, noise made the planar variant look faster
     * (0.87 of peak against 0.72) and ResNet-18 got reorders around planar layers between blocked ones.
     */
    @Override
    public String efficiencyKey(ConvGeometry g) {
        String kernel = planar ? KERNEL : name();
        return g.groups() > 1 ? kernel + ".grouped" : kernel;
    }
}
