package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;
import io.cnnc.kernels.reference.ActivationReference;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution on channel-blocked tensors (NCHW16c in, NCHW16c out): one vector holds 16
 * output channels of one pixel, and a row of 12 pixels is accumulated in 12 registers across all
 * input channels and taps, each weight vector loaded once and each input value broadcast. No
 * packing or im2col at run time, any kernel size, stride, padding and dilation; groups 1 and
 * channel counts that are multiples of 16. Interior pixels run without bounds checks; border
 * pixels skip the taps outside the input one at a time. The layout pass puts reorders around
 * it where its neighbours are planar.
 */
public final class DirectNchwcStrategy implements ConvStrategy {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int B = Nchwc.BLOCK;

    public String name() {
        return "direct-nchwc";
    }

    @Override
    public boolean blocked() {
        return true;
    }

    public boolean supports(ConvGeometry g) {
        // Elsewhere (AVX2) a 512-bit vector is emulated and slower than every planar strategy.
        return nativeVectors() && computes(g);
    }

    /** Whether this CPU has 512-bit float vectors. */
    static boolean nativeVectors() {
        return FloatVector.SPECIES_PREFERRED.length() >= B;
    }

    @Override
    public boolean computes(ConvGeometry g) {
        return g.groups() == 1 && Nchwc.blocks(g.inC()) && Nchwc.blocks(g.outC());
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (!computes(g)) throw new IllegalArgumentException(name() + " does not compute " + g);
        return new Kernel(g, pack(g, weight), epilogue, parallel);
    }

    /** [outC/16][inC/16][kH][kW][16 in][16 out], so the 16 output channels of one tap are one vector. */
    static float[] pack(ConvGeometry g, float[] w) {
        int inBlocks = g.inC() / B, kh = g.kernelH(), kw = g.kernelW();
        float[] p = new float[w.length];
        for (int oc = 0; oc < g.outC(); oc++) {
            for (int ic = 0; ic < g.inC(); ic++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int dst = ((((oc / B) * inBlocks + ic / B) * kh + ky) * kw + kx) * B * B + (ic % B) * B + oc % B;
                        p[dst] = w[((oc * g.inC() + ic) * kh + ky) * kw + kx];
                    }
                }
            }
        }
        return p;
    }

    private static final class Kernel implements ConvKernel {
        private final ConvGeometry g;
        private final float[] w;
        private final float[] bias;
        private final boolean residual;
        private final boolean relu;
        private final boolean otherActivation;
        private final ActivationKind activation;
        private final double alpha;
        private final Parallel parallel;
        private final int inBlocks, outBlocks, inH, inW, outH, outW, kH, kW, dilH, dilW, strideW, pixelStride;
        /** Output columns whose every tap lies inside the input. */
        private final int oxLo, oxHi;
        /** Floats of packed weights per output channel block. */
        private final int blockWeights;
        /** Whether output blocks go in pairs (an even number of them). */
        private final boolean paired;

        Kernel(ConvGeometry g, float[] w, Epilogue e, Parallel parallel) {
            this.g = g;
            this.w = w;
            this.bias = e.bias();
            this.residual = e.residual();
            this.activation = e.activation();
            this.alpha = e.alpha();
            this.relu = activation == ActivationKind.RELU;
            this.otherActivation = activation != ActivationKind.RELU && activation != ActivationKind.IDENTITY;
            this.parallel = parallel;
            this.inBlocks = g.inC() / B;
            this.outBlocks = g.outC() / B;
            this.inH = g.inH();
            this.inW = g.inW();
            this.outH = g.outH();
            this.outW = g.outW();
            this.kH = g.kernelH();
            this.kW = g.kernelW();
            this.dilH = g.dilationH();
            this.dilW = g.dilationW();
            this.strideW = g.strideW();
            this.pixelStride = g.strideW() * B;
            this.oxLo = (g.padLeft() + g.strideW() - 1) / g.strideW();
            this.oxHi = Math.floorDiv(inW - 1 - (kW - 1) * dilW + g.padLeft(), g.strideW()) + 1;
            this.blockWeights = inBlocks * kH * kW * B * B;
            this.paired = outBlocks % 2 == 0;
        }

        public void forward(float[] x, float[] res, float[] y, int batch) {
            if (paired) {
                int rows = batch * outBlocks / 2 * outH;
                int tasks = Math.min(rows, parallel.threads() * 4);
                parallel.forRange(tasks, t -> {
                    for (int r = (int) ((long) rows * t / tasks); r < (int) ((long) rows * (t + 1) / tasks); r++) pairRow(x, res, y, r);
                });
                return;
            }
            int rows = batch * outBlocks * outH;
            int tasks = Math.min(rows, parallel.threads() * 4);
            parallel.forRange(tasks, t -> {
                for (int r = (int) ((long) rows * t / tasks); r < (int) ((long) rows * (t + 1) / tasks); r++) row(x, res, y, r);
            });
        }

        /** One output row of two channel blocks (pair r / outH), interior in 8x2 blocks. */
        private void pairRow(float[] x, float[] res, float[] y, int r) {
            int oy = r % outH;
            int pairs = outBlocks / 2;
            int ocb = r / outH % pairs * 2;
            int n = r / outH / pairs;
            int xn = n * inBlocks * inH * inW * B;
            int wOff = ocb * blockWeights;
            int iy0 = oy * g.strideH() - g.padTop();
            int kyLo = iy0 >= 0 ? 0 : (-iy0 + dilH - 1) / dilH;
            int kyHi = Math.min(kH, Math.floorDiv(inH - 1 - iy0, dilH) + 1);
            int yRow = (((n * outBlocks + ocb) * outH + oy) * outW) * B;
            int yRow2 = yRow + outH * outW * B;
            int ox = 0;
            while (ox < outW) {
                int ix0 = ox * g.strideW() - g.padLeft();
                if (ox >= oxLo && ox + 8 <= oxHi) {
                    pixels8x2(x, xn, wOff, y, yRow + ox * B, res, iy0, kyLo, kyHi, ix0, ocb);
                    ox += 8;
                } else if (ox >= oxLo && ox + 4 <= oxHi) {
                    pixels4(x, xn, wOff, y, yRow + ox * B, res, iy0, kyLo, kyHi, ix0, ocb);
                    pixels4(x, xn, wOff + blockWeights, y, yRow2 + ox * B, res, iy0, kyLo, kyHi, ix0, ocb + 1);
                    ox += 4;
                } else {
                    int count = Math.min(4, ox < oxLo ? oxLo - ox : outW - ox);
                    pixels4Checked(x, xn, wOff, y, yRow + ox * B, res, iy0, kyLo, kyHi, ix0, ocb, count);
                    pixels4Checked(x, xn, wOff + blockWeights, y, yRow2 + ox * B, res, iy0, kyLo, kyHi, ix0, ocb + 1, count);
                    ox += count;
                }
            }
        }

        /** One output row of one channel block. */
        private void row(float[] x, float[] res, float[] y, int r) {
            int oy = r % outH;
            int ocb = r / outH % outBlocks;
            int n = r / outH / outBlocks;
            int xn = n * inBlocks * inH * inW * B;
            int wOff = ocb * inBlocks * kH * kW * B * B;
            int iy0 = oy * g.strideH() - g.padTop();
            int kyLo = iy0 >= 0 ? 0 : (-iy0 + dilH - 1) / dilH;
            int kyHi = Math.min(kH, Math.floorDiv(inH - 1 - iy0, dilH) + 1);
            int yRow = (((n * outBlocks + ocb) * outH + oy) * outW) * B;
            int ox = 0;
            while (ox < outW) {
                int ix0 = ox * g.strideW() - g.padLeft();
                int yOff = yRow + ox * B;
                if (ox >= oxLo && ox + 12 <= oxHi) {
                    pixels12(x, xn, wOff, y, yOff, res, iy0, kyLo, kyHi, ix0, ocb);
                    ox += 12;
                } else if (ox >= oxLo && ox + 4 <= oxHi) {
                    pixels4(x, xn, wOff, y, yOff, res, iy0, kyLo, kyHi, ix0, ocb);
                    ox += 4;
                } else {
                    // Left of the interior stop where it starts, so the 12-pixel blocks begin there.
                    int count = Math.min(4, ox < oxLo ? oxLo - ox : outW - ox);
                    pixels4Checked(x, xn, wOff, y, yOff, res, iy0, kyLo, kyHi, ix0, ocb, count);
                    ox += count;
                }
            }
        }

    /**
     * 8 output pixels of two channel blocks, all taps inside the input: each broadcast input
     * feeds two weight vectors, so 16 FMAs cost 2 vector and 8 scalar loads instead of 16
     * scalar ones, the GEMM microkernel's ratio.
     */
    private void pixels8x2(float[] x, int xn, int wOff, float[] y, int yOff, float[] res, int iy0, int kyLo, int kyHi, int ix0, int ocb) {
        FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
        FloatVector a4 = FloatVector.zero(S), b4 = FloatVector.zero(S);
        FloatVector a5 = FloatVector.zero(S), b5 = FloatVector.zero(S);
        FloatVector a6 = FloatVector.zero(S), b6 = FloatVector.zero(S);
        FloatVector a7 = FloatVector.zero(S), b7 = FloatVector.zero(S);
        int yOff2 = yOff + outH * outW * B;
        for (int icb = 0; icb < inBlocks; icb++) {
            for (int ky = kyLo; ky < kyHi; ky++) {
                int xrow = xn + (icb * inH + iy0 + ky * dilH) * inW * B;
                int wk = wOff + ((icb * kH + ky) * kW) * B * B;
                for (int kx = 0; kx < kW; kx++, wk += B * B) {
                    int xp = xrow + (ix0 + kx * dilW) * B;
                    for (int ic = 0; ic < B; ic++) {
                        FloatVector w0 = FloatVector.fromArray(S, w, wk + ic * B);
                        FloatVector w1 = FloatVector.fromArray(S, w, wk + blockWeights + ic * B);
                        FloatVector x0 = FloatVector.broadcast(S, x[xp + 0 * pixelStride + ic]);
                        a0 = x0.fma(w0, a0);
                        b0 = x0.fma(w1, b0);
                        FloatVector x1 = FloatVector.broadcast(S, x[xp + 1 * pixelStride + ic]);
                        a1 = x1.fma(w0, a1);
                        b1 = x1.fma(w1, b1);
                        FloatVector x2 = FloatVector.broadcast(S, x[xp + 2 * pixelStride + ic]);
                        a2 = x2.fma(w0, a2);
                        b2 = x2.fma(w1, b2);
                        FloatVector x3 = FloatVector.broadcast(S, x[xp + 3 * pixelStride + ic]);
                        a3 = x3.fma(w0, a3);
                        b3 = x3.fma(w1, b3);
                        FloatVector x4 = FloatVector.broadcast(S, x[xp + 4 * pixelStride + ic]);
                        a4 = x4.fma(w0, a4);
                        b4 = x4.fma(w1, b4);
                        FloatVector x5 = FloatVector.broadcast(S, x[xp + 5 * pixelStride + ic]);
                        a5 = x5.fma(w0, a5);
                        b5 = x5.fma(w1, b5);
                        FloatVector x6 = FloatVector.broadcast(S, x[xp + 6 * pixelStride + ic]);
                        a6 = x6.fma(w0, a6);
                        b6 = x6.fma(w1, b6);
                        FloatVector x7 = FloatVector.broadcast(S, x[xp + 7 * pixelStride + ic]);
                        a7 = x7.fma(w0, a7);
                        b7 = x7.fma(w1, b7);
                    }
                }
            }
        }
        FloatVector bv0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ocb * B);
        FloatVector bv1 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ocb * B + B);
        {
            FloatVector v = a0.add(bv0);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 0 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 0 * B);
        }
        {
            FloatVector v = a1.add(bv0);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 1 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 1 * B);
        }
        {
            FloatVector v = a2.add(bv0);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 2 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 2 * B);
        }
        {
            FloatVector v = a3.add(bv0);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 3 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 3 * B);
        }
        {
            FloatVector v = a4.add(bv0);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 4 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 4 * B);
        }
        {
            FloatVector v = a5.add(bv0);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 5 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 5 * B);
        }
        {
            FloatVector v = a6.add(bv0);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 6 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 6 * B);
        }
        {
            FloatVector v = a7.add(bv0);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 7 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 7 * B);
        }
        {
            FloatVector v = b0.add(bv1);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff2 + 0 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff2 + 0 * B);
        }
        {
            FloatVector v = b1.add(bv1);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff2 + 1 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff2 + 1 * B);
        }
        {
            FloatVector v = b2.add(bv1);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff2 + 2 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff2 + 2 * B);
        }
        {
            FloatVector v = b3.add(bv1);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff2 + 3 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff2 + 3 * B);
        }
        {
            FloatVector v = b4.add(bv1);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff2 + 4 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff2 + 4 * B);
        }
        {
            FloatVector v = b5.add(bv1);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff2 + 5 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff2 + 5 * B);
        }
        {
            FloatVector v = b6.add(bv1);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff2 + 6 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff2 + 6 * B);
        }
        {
            FloatVector v = b7.add(bv1);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff2 + 7 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff2 + 7 * B);
        }
        if (otherActivation) {
            activate(y, yOff, 8 * B);
            activate(y, yOff2, 8 * B);
        }
    }

    /** 12 output pixels of one channel block, all taps inside the input. */
    private void pixels12(float[] x, int xn, int wOff, float[] y, int yOff, float[] res, int iy0, int kyLo, int kyHi, int ix0, int ocb) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        FloatVector a4 = FloatVector.zero(S);
        FloatVector a5 = FloatVector.zero(S);
        FloatVector a6 = FloatVector.zero(S);
        FloatVector a7 = FloatVector.zero(S);
        FloatVector a8 = FloatVector.zero(S);
        FloatVector a9 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a11 = FloatVector.zero(S);
        for (int icb = 0; icb < inBlocks; icb++) {
            for (int ky = kyLo; ky < kyHi; ky++) {
                int xrow = xn + (icb * inH + iy0 + ky * dilH) * inW * B;
                int wk = wOff + ((icb * kH + ky) * kW) * B * B;
                for (int kx = 0; kx < kW; kx++, wk += B * B) {
                    int ix = ix0 + kx * dilW;
                    int xp = xrow + ix * B;
                    for (int ic = 0; ic < B; ic++) {
                        FloatVector wv = FloatVector.fromArray(S, w, wk + ic * B);
                        a0 = FloatVector.broadcast(S, x[xp + 0 * pixelStride + ic]).fma(wv, a0);
                        a1 = FloatVector.broadcast(S, x[xp + 1 * pixelStride + ic]).fma(wv, a1);
                        a2 = FloatVector.broadcast(S, x[xp + 2 * pixelStride + ic]).fma(wv, a2);
                        a3 = FloatVector.broadcast(S, x[xp + 3 * pixelStride + ic]).fma(wv, a3);
                        a4 = FloatVector.broadcast(S, x[xp + 4 * pixelStride + ic]).fma(wv, a4);
                        a5 = FloatVector.broadcast(S, x[xp + 5 * pixelStride + ic]).fma(wv, a5);
                        a6 = FloatVector.broadcast(S, x[xp + 6 * pixelStride + ic]).fma(wv, a6);
                        a7 = FloatVector.broadcast(S, x[xp + 7 * pixelStride + ic]).fma(wv, a7);
                        a8 = FloatVector.broadcast(S, x[xp + 8 * pixelStride + ic]).fma(wv, a8);
                        a9 = FloatVector.broadcast(S, x[xp + 9 * pixelStride + ic]).fma(wv, a9);
                        a10 = FloatVector.broadcast(S, x[xp + 10 * pixelStride + ic]).fma(wv, a10);
                        a11 = FloatVector.broadcast(S, x[xp + 11 * pixelStride + ic]).fma(wv, a11);
                    }
                }
            }
        }
        FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ocb * B);
        {
            FloatVector v = a0.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 0 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 0 * B);
        }
        {
            FloatVector v = a1.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 1 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 1 * B);
        }
        {
            FloatVector v = a2.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 2 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 2 * B);
        }
        {
            FloatVector v = a3.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 3 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 3 * B);
        }
        {
            FloatVector v = a4.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 4 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 4 * B);
        }
        {
            FloatVector v = a5.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 5 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 5 * B);
        }
        {
            FloatVector v = a6.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 6 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 6 * B);
        }
        {
            FloatVector v = a7.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 7 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 7 * B);
        }
        {
            FloatVector v = a8.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 8 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 8 * B);
        }
        {
            FloatVector v = a9.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 9 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 9 * B);
        }
        {
            FloatVector v = a10.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 10 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 10 * B);
        }
        {
            FloatVector v = a11.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 11 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 11 * B);
        }
        if (otherActivation) activate(y, yOff, 12 * B);
    }

    /** 4 output pixels of one channel block, all taps inside the input. */
    private void pixels4(float[] x, int xn, int wOff, float[] y, int yOff, float[] res, int iy0, int kyLo, int kyHi, int ix0, int ocb) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        for (int icb = 0; icb < inBlocks; icb++) {
            for (int ky = kyLo; ky < kyHi; ky++) {
                int xrow = xn + (icb * inH + iy0 + ky * dilH) * inW * B;
                int wk = wOff + ((icb * kH + ky) * kW) * B * B;
                for (int kx = 0; kx < kW; kx++, wk += B * B) {
                    int ix = ix0 + kx * dilW;
                    int xp = xrow + ix * B;
                    for (int ic = 0; ic < B; ic++) {
                        FloatVector wv = FloatVector.fromArray(S, w, wk + ic * B);
                        a0 = FloatVector.broadcast(S, x[xp + 0 * pixelStride + ic]).fma(wv, a0);
                        a1 = FloatVector.broadcast(S, x[xp + 1 * pixelStride + ic]).fma(wv, a1);
                        a2 = FloatVector.broadcast(S, x[xp + 2 * pixelStride + ic]).fma(wv, a2);
                        a3 = FloatVector.broadcast(S, x[xp + 3 * pixelStride + ic]).fma(wv, a3);
                    }
                }
            }
        }
        FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ocb * B);
        {
            FloatVector v = a0.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 0 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 0 * B);
        }
        {
            FloatVector v = a1.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 1 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 1 * B);
        }
        {
            FloatVector v = a2.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 2 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 2 * B);
        }
        {
            FloatVector v = a3.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 3 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 3 * B);
        }
        if (otherActivation) activate(y, yOff, 4 * B);
    }

    /**
     * Up to 4 output pixels anywhere in the row: a tap outside the input reads a clamped
     * position scaled by 0, so the 4 accumulators keep the FMA pipes busy at the borders too.
     */
    private void pixels4Checked(float[] x, int xn, int wOff, float[] y, int yOff, float[] res, int iy0, int kyLo, int kyHi, int ix0, int ocb, int count) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        for (int icb = 0; icb < inBlocks; icb++) {
            for (int ky = kyLo; ky < kyHi; ky++) {
                int xrow = xn + (icb * inH + iy0 + ky * dilH) * inW * B;
                int wk = wOff + ((icb * kH + ky) * kW) * B * B;
                for (int kx = 0; kx < kW; kx++, wk += B * B) {
                    int ix = ix0 + kx * dilW;
                    int i0 = ix + 0 * strideW;
                    float v0 = i0 >= 0 && i0 < inW ? 1f : 0f;
                    int x0 = xrow + Math.min(Math.max(i0, 0), inW - 1) * B;
                    int i1 = ix + 1 * strideW;
                    float v1 = i1 >= 0 && i1 < inW ? 1f : 0f;
                    int x1 = xrow + Math.min(Math.max(i1, 0), inW - 1) * B;
                    int i2 = ix + 2 * strideW;
                    float v2 = i2 >= 0 && i2 < inW ? 1f : 0f;
                    int x2 = xrow + Math.min(Math.max(i2, 0), inW - 1) * B;
                    int i3 = ix + 3 * strideW;
                    float v3 = i3 >= 0 && i3 < inW ? 1f : 0f;
                    int x3 = xrow + Math.min(Math.max(i3, 0), inW - 1) * B;
                    for (int ic = 0; ic < B; ic++) {
                        FloatVector wv = FloatVector.fromArray(S, w, wk + ic * B);
                        a0 = FloatVector.broadcast(S, x[x0 + ic] * v0).fma(wv, a0);
                        a1 = FloatVector.broadcast(S, x[x1 + ic] * v1).fma(wv, a1);
                        a2 = FloatVector.broadcast(S, x[x2 + ic] * v2).fma(wv, a2);
                        a3 = FloatVector.broadcast(S, x[x3 + ic] * v3).fma(wv, a3);
                    }
                }
            }
        }
        FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ocb * B);
        if (count > 0) {
            FloatVector v = a0.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 0 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 0 * B);
        }
        if (count > 1) {
            FloatVector v = a1.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 1 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 1 * B);
        }
        if (count > 2) {
            FloatVector v = a2.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 2 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 2 * B);
        }
        if (count > 3) {
            FloatVector v = a3.add(bv);
            if (residual) v = v.add(FloatVector.fromArray(S, res, yOff + 3 * B));
            if (relu) v = v.max(0f);
            v.intoArray(y, yOff + 3 * B);
        }
        if (otherActivation) activate(y, yOff, count * B);
    }

        private void activate(float[] y, int off, int len) {
            for (int i = off; i < off + len; i++) y[i] = (float) ActivationReference.apply(activation, alpha, y[i]);
        }

        public String tiling() {
            return paired ? "NCHW16c, 8 pixels x 32 channels in registers" : "NCHW16c, 12 pixels x 16 channels in registers";
        }
    }
}
