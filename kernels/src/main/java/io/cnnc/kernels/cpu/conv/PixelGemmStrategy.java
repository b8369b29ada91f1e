package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ScratchPool;
import io.cnnc.kernels.cpu.gemm.PackedB;
import io.cnnc.kernels.cpu.gemm.PackedGemm;

/**
 * Convolution as im2col(x)^T W^T: output pixels on the GEMM rows ({@link PixelRows}, packed per
 * KC block), the weights as B, packed once. The other orientation (im2col-gemm) streams the
 * weights as A panels that each meet only ceil(pixels / NR) column panels: at 7x7 or 14x14 with
 * 256..512 channels, megabytes of weights come from memory for a few microkernel calls each.
 * Here each weight panel of NR channels (kc x NR floats, in L1) is reused by every MR-pixel
 * row panel of the block, and the weights are read once per call in their raw size, where
 * Winograd's transformed ones are 1.8x (F23) to 4x (F43) bigger. The product is pixel-major, so
 * the output is transposed into NCHW while the epilogue is applied.
 */
public final class PixelGemmStrategy implements ConvStrategy {

    /** Pixels per block, whole panels of MR: an A block of MC x KC floats (256 KB with MR 8) stays in L2 beside its C block. */
    static final int MC = 16 * PackedGemm.MR;
    /** Output channels transposed out of the product block together (one cache line of a row of c). */
    private static final int TRANSPOSE_CHANNELS = 16;

    public String name() {
        return "pixel-gemm";
    }

    public boolean supports(ConvGeometry g) {
        return true;
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        int groups = g.groups();
        int outPerGroup = g.outC() / groups;
        int k = g.inC() / groups * g.kernelH() * g.kernelW();
        PackedB[] packed = new PackedB[groups];
        float[] transposed = new float[k * outPerGroup];
        for (int grp = 0; grp < groups; grp++) {
            for (int co = 0; co < outPerGroup; co++) {
                int src = (grp * outPerGroup + co) * k;
                for (int p = 0; p < k; p++) transposed[p * outPerGroup + co] = weight[src + p];
            }
            packed[grp] = PackedB.of(transposed, 0, k, outPerGroup, outPerGroup);
        }
        return new Kernel(g, packed, epilogue, parallel);
    }

    /** The register block is NR output channels wide: a 16-channel layer runs at half speed on 32. */
    @Override
    public ConvWork work(ConvGeometry g, int threads) {
        ConvWork w = ConvWork.padded(g, ConvWork.roundedUp(g.outC() / g.groups(), PackedGemm.NR), "pixels x weights^T");
        return Im2colPanels.packedOnTheFly(g, w).withGathers(gathers(g));
    }

    /**
     * The packing gathers a panel column (MR pixels of one k) unless the panel's pixels are
     * consecutive in one row: at stride 2 always, at stride 1 only the panels across a row end.
     */
    static double gathers(ConvGeometry g) {
        double k = (double) (g.inC() / g.groups()) * g.kernelH() * g.kernelW() * g.groups();
        double panels = Math.ceil(g.outH() * g.outW() / (double) PackedGemm.MR);
        double gathered = g.strideW() > 1 ? 1 : Math.min(1, (PackedGemm.MR - 1) / (double) g.outW());
        return panels * k * gathered;
    }

    private static final class Kernel implements ConvKernel {
        private final ConvGeometry g;
        private final PackedB[] weights;
        private final Epilogue epilogue;
        private final Parallel parallel;
        private final int hw, paddedH, paddedW;
        private final PixelRows rows;
        /** The input of one image with its zero border; the border is never written after construction. */
        /** Keys of the shared scratch (see {@link ScratchPool}): the padded input by its layout, a and c by size. */
        private final Object xpadKey;
        private final int xpadSize, aSize, cSize;
        private final boolean unpadded;
        /** The packed pixel rows and the product block: written in full before they are read, so keyed by size. */
        private final Object aKey, cKey;
        private final int pixelBlocks, channelChunks;
        /**
         * Channel chunks share one packing of the pixel rows, made by all threads first, rather
         * than each chunk packing them again (docs/kernels.md, "pixel-gemm").
         */
        private final boolean sharedRows;
        private final int kBlocks, sharedStride;
        private final Object sharedKey;

        Kernel(ConvGeometry g, PackedB[] weights, Epilogue epilogue, Parallel parallel) {
            this.g = g;
            this.weights = weights;
            this.epilogue = epilogue;
            this.parallel = parallel;
            this.hw = g.outH() * g.outW();
            this.paddedH = g.inH() + g.padTop() + g.padBottom();
            this.paddedW = g.inW() + g.padLeft() + g.padRight();
            this.rows = new PixelRows(g, paddedH, paddedW);
            this.xpadSize = g.inC() * paddedH * paddedW;
            this.unpadded = g.padTop() == 0 && g.padLeft() == 0 && g.padBottom() == 0 && g.padRight() == 0;
            this.xpadKey = java.util.List.of("pixel-gemm input", g.inC(), g.inH(), g.inW(), paddedH, paddedW, g.padTop(), g.padLeft());
            this.pixelBlocks = (hw + MC - 1) / MC;
            int panels = weights[0].nPadded() / PackedGemm.NR;
            // Too few pixel blocks to share out evenly: split the channels too (each task then
            // packs the same pixels, but reads only its share of the weights).
            this.channelChunks = pixelBlocks % parallel.threads() == 0 || pixelBlocks >= 4 * parallel.threads()
                    ? 1 : Math.min(panels, parallel.threads());
            int ldc = weights[0].nPadded();
            int kc = Math.min(PackedGemm.KC, rows.k());
            this.aSize = MC * kc;
            this.cSize = MC * ldc;
            this.aKey = java.util.List.of("pixel-gemm a", aSize);
            this.sharedRows = channelChunks > 1 && weights.length == 1;
            this.kBlocks = (rows.k() + PackedGemm.KC - 1) / PackedGemm.KC;
            this.sharedStride = Math.min(MC, roundUp(hw)) * kc;
            this.sharedKey = java.util.List.of("pixel-gemm shared rows", pixelBlocks * kBlocks * sharedStride);
            this.cKey = java.util.List.of("pixel-gemm c", cSize);
        }

        public void forward(float[] x, float[] residual, float[] y, int batch) {
            if (unpadded) {
                // The input already is the padded input (1x1 downsampling convs): no copy.
                for (int n = 0; n < batch; n++) {
                    int image = n, base = n * xpadSize;
                    parallel.forRange(pixelBlocks * channelChunks, task -> run(x, base, residual, y, image, task / channelChunks, task % channelChunks, null));
                }
                return;
            }
            float[] xpad = ScratchPool.take(xpadKey, xpadSize);
            for (int n = 0; n < batch; n++) {
                pad(x, n, xpad);
                int image = n;
                if (sharedRows) {
                    float[] shared = ScratchPool.take(sharedKey, pixelBlocks * kBlocks * sharedStride);
                    parallel.forRange(pixelBlocks * kBlocks, task -> packShared(xpad, task / kBlocks, task % kBlocks, shared));
                    parallel.forRange(pixelBlocks * channelChunks, task -> run(xpad, 0, residual, y, image, task / channelChunks, task % channelChunks, shared));
                    ScratchPool.give(sharedKey, shared);
                } else {
                    parallel.forRange(pixelBlocks * channelChunks, task -> run(xpad, 0, residual, y, image, task / channelChunks, task % channelChunks, null));
                }
            }
            ScratchPool.give(xpadKey, xpad);
        }

        /** K block kb of pixel block {@code block}'s rows, into the shared packing. */
        private void packShared(float[] xpad, int block, int kb, float[] shared) {
            int m0 = block * MC;
            int packedRows = roundUp(Math.min(MC, hw - m0));
            int p0 = kb * PackedGemm.KC;
            rows.pack(xpad, 0, m0, packedRows, p0, Math.min(PackedGemm.KC, rows.k() - p0), shared, (block * kBlocks + kb) * sharedStride);
        }

        private void pad(float[] x, int n, float[] xpad) {
            int inPlane = g.inH() * g.inW();
            int padPlane = paddedH * paddedW;
            for (int c = 0; c < g.inC(); c++) {
                for (int iy = 0; iy < g.inH(); iy++) {
                    System.arraycopy(x, (n * g.inC() + c) * inPlane + iy * g.inW(), xpad,
                            c * padPlane + (iy + g.padTop()) * paddedW + g.padLeft(), g.inW());
                }
            }
        }

        /** {@code shared}: the pixel rows already packed by {@link #packShared}, or null to pack them here. */
        private void run(float[] xpad, int base, float[] residual, float[] y, int n, int block, int chunk, float[] shared) {
            float[] a = ScratchPool.take(aKey, aSize), c = ScratchPool.take(cKey, cSize);
            int m0 = block * MC;
            int count = Math.min(MC, hw - m0);
            int packedRows = roundUp(count);
            int outPerGroup = g.outC() / weights.length;
            int inPerGroup = g.inC() / weights.length;
            int ldc = weights[0].nPadded();
            int panels = ldc / PackedGemm.NR;
            int lo = panels * chunk / channelChunks * PackedGemm.NR;
            int hi = Math.min(outPerGroup, panels * (chunk + 1) / channelChunks * PackedGemm.NR);
            int k = rows.k();
            for (int grp = 0; grp < weights.length; grp++) {
                int planeOffset = base + grp * inPerGroup * paddedH * paddedW;
                for (int p0 = 0; p0 < k; p0 += PackedGemm.KC) {
                    int kc = Math.min(PackedGemm.KC, k - p0);
                    if (shared != null) {
                        PackedGemm.multiplyBlock(shared, (block * kBlocks + p0 / PackedGemm.KC) * sharedStride, count, weights[grp], p0, lo, hi, c, 0, ldc, p0 > 0);
                        continue;
                    }
                    rows.pack(xpad, planeOffset, m0, packedRows, p0, kc, a, 0);
                    PackedGemm.multiplyBlock(a, 0, count, weights[grp], p0, lo, hi, c, 0, ldc, p0 > 0);
                }
                // 16 channels at a time: each pixel's row of c is read once, 16 floats in a line,
                // and the 16 output rows being written stay in L1; channel by channel, every read
                // was a new cache line.
                int yGroup = (n * g.outC() + grp * outPerGroup) * hw + m0;
                for (int cb = lo; cb < hi; cb += TRANSPOSE_CHANNELS) {
                    int ce = Math.min(hi, cb + TRANSPOSE_CHANNELS);
                    for (int r = 0; r < count; r++) {
                        int src = r * ldc;
                        for (int co = cb; co < ce; co++) y[yGroup + co * hw + r] = c[src + co];
                    }
                    for (int co = cb; co < ce; co++) epilogue.apply(y, yGroup + co * hw, count, grp * outPerGroup + co, residual);
                }
            }
            ScratchPool.give(aKey, a);
            ScratchPool.give(cKey, c);
        }

        /** Pixels rounded up to whole MR-pixel panels. */
        private static int roundUp(int pixels) {
            return (pixels + PackedGemm.MR - 1) / PackedGemm.MR * PackedGemm.MR;
        }

        public String tiling() {
            return "MR=" + PackedGemm.MR + " NR=" + PackedGemm.NR + " KC=" + PackedGemm.KC + " MC=" + MC + ", "
                    + pixelBlocks + " pixel block" + (pixelBlocks == 1 ? "" : "s") + " x " + channelChunks + " channel chunk"
                    + (channelChunks == 1 ? "" : "s") + (sharedRows ? " sharing one packing of the pixels" : "") + ", weights packed once as B";
        }
    }
}
