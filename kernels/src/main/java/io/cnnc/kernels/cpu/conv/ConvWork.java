package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;

/**
 * What a strategy does for one sample of a layer, exported for the cost model, which prices it
 * on a machine ({@code flops / (efficiency * peak) + bytes / bandwidth}, plus gathers where they
 * cost): {@code flops} it issues (padded lanes and register blocks included), {@code bytes} of
 * memory traffic, {@code padding} (multiply-adds issued per useful one), {@code gathers} (panel
 * columns gathered from scattered pixels) and in words why.
 */
public record ConvWork(double flops, double bytes, double padding, double gathers, String why) {

    /** The work of a kernel that issues {@code padding} multiply-adds per useful one and moves its input, output and weights once. */
    static ConvWork padded(ConvGeometry g, double padding, String why) {
        return new ConvWork(flops(g, padding), ioBytes(g), padding, 0, why);
    }

    /** The same work with {@code flops}, {@code bytes} and {@code why} in place of these. */
    ConvWork with(double flops, double bytes, String why) {
        return new ConvWork(flops, bytes, padding, gathers, why);
    }

    /** The same work with {@code gathers} gathered panel columns. */
    ConvWork withGathers(double gathers) {
        return new ConvWork(flops, bytes, padding, gathers, why);
    }

    /** {@link #why}, and the padding where it is more than a percent. */
    public String explained() {
        return why + (padding > 1.01 ? String.format("; %.2fx the multiplies in padded lanes", padding) : "");
    }

    /** Two flops per multiply-add, {@code padding} issued per useful one. */
    static double flops(ConvGeometry g, double padding) {
        double macs = g.macsPerSample();
        return 2 * macs * padding;
    }

    /** The input, output and weights read or written once. */
    static double ioBytes(ConvGeometry g) {
        double weights = g.weightCount();
        return 4 * (inputFloats(g) + outputFloats(g) + weights);
    }

    static double inputFloats(ConvGeometry g) {
        return (double) g.inC() * g.inH() * g.inW();
    }

    static double outputFloats(ConvGeometry g) {
        return (double) g.outC() * g.outH() * g.outW();
    }

    /** n rounded up to a multiple of m, over n: what a block of m issues per useful unit. */
    static double roundedUp(int n, int m) {
        return (double) ((n + m - 1) / m * m) / n;
    }
}
