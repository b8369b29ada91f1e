package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;

/**
 * Depthwise convolution on channel-blocked tensors (NCHWc in and out, channel multiplier 1,
 * channels a multiple of the block): one vector is a block of channels of one pixel, each tap one
 * vector FMA with that tap's weights ({@link DepthwiseNchwcKernel}). It lets a network of depthwise and
 * pointwise layers stay blocked from end to end: MobileNetV2's 1x1 layers are fastest with
 * direct-nchwc, but with the planar depthwise between them every one paid two reorders.
 */
public final class DepthwiseNchwcStrategy implements ConvStrategy {

    public String name() {
        return "depthwise-nchwc";
    }

    @Override
    public boolean blocked() {
        return true;
    }

    public boolean supports(ConvGeometry g) {
        return Nchwc.nativeVectors() && computes(g);
    }

    @Override
    public boolean computes(ConvGeometry g) {
        return g.groups() == g.inC() && g.outC() == g.inC() && Nchwc.blocks(g.inC());
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (!computes(g)) throw new IllegalArgumentException(name() + " does not compute " + g);
        return new DepthwiseNchwcKernel(g, weight, epilogue, parallel);
    }

    @Override
    public ConvWork work(ConvGeometry g, int threads) {
        return ConvWork.padded(g, 1, "one channel per group on " + Nchwc.NAME + ": one FMA per tap on a pixel's " + Nchwc.BLOCK + " channels");
    }

    /** One channel per group is depthwise's own case, not a grouped layer: one key. */
    @Override
    public String efficiencyKey(ConvGeometry g) {
        return name();
    }
}
