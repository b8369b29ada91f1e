package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.FastActivation;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;

/**
 * The depthwise kernel on NCHW16c: each output row of each channel block computed by
 * {@link DepthwiseNchwcRow} (8 pixels x 16 channels in registers, no broadcast, no shuffle);
 * other activations than ReLU/ReLU6 run over the finished row. Work is split over (sample,
 * channel block, band of output rows); each output is one fixed chain of FMAs, so results do
 * not depend on the thread count.
 */
final class DepthwiseNchwcKernel implements ConvKernel {

    private static final int B = Nchwc.BLOCK;

    private final ConvGeometry g;
    private final Epilogue e;
    private final Parallel parallel;
    private final DepthwiseNchwcRow rows;
    private final int blocks, outH, outW;
    private final boolean otherActivation;

    DepthwiseNchwcKernel(ConvGeometry g, float[] weight, Epilogue e, Parallel parallel) {
        this.g = g;
        this.e = e;
        this.parallel = parallel;
        this.rows = new DepthwiseNchwcRow(g, weight, e);
        this.blocks = g.inC() / B;
        this.outH = g.outH();
        this.outW = g.outW();
        ActivationKind a = e.activation();
        this.otherActivation = a != ActivationKind.RELU && a != ActivationKind.RELU6 && a != ActivationKind.IDENTITY;
    }

    public void forward(float[] x, float[] res, float[] y, int batch) {
        // Bands of rows: at least 4 tasks per thread where the channel blocks alone are fewer.
        int planes = batch * blocks;
        int bands = Math.max(1, Math.min(outH, (4 * parallel.threads() + planes - 1) / planes));
        Parallel run = (long) batch * g.macsPerSample() < 100_000 ? Parallel.serial() : parallel;
        run.forRange(planes * bands, t -> {
            int plane = t / bands, band = t % bands;
            int[] taps = new int[g.kernelH()];
            for (int oy = outH * band / bands; oy < outH * (band + 1) / bands; oy++) row(x, res, y, plane, oy, taps);
        });
    }

    /** Output row oy of plane (sample, channel block). */
    private void row(float[] x, float[] res, float[] y, int plane, int oy, int[] taps) {
        int yRow = (plane * outH + oy) * outW * B;
        rows.tapRows(oy, plane * g.inH() * g.inW() * B, g.inH(), taps);
        rows.row(x, taps, plane % blocks, res, y, yRow);
        if (otherActivation) FastActivation.range(e.activation(), e.alpha(), y, yRow, y, yRow, outW * B);
    }

    public String tiling() {
        return String.format("%s, %d pixels x %d channels in registers, %d of %d output columns without bounds checks",
                Nchwc.NAME, DepthwiseNchwcRow.R, B, rows.interiorTo - rows.interiorFrom, outW);
    }
}
