package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution (groups == input channels, any channel multiplier): each output
 * channel is one input plane filtered by one small kernel, so there is nothing to share between
 * channels and the work is memory-bound. A vector of output columns is accumulated over the
 * taps with one load per tap. Each input plane is first copied into zero-padded rows, split into
 * the stride's phases when the stride is above 1, so every load is a plain in-bounds load of
 * consecutive floats (masked loads at negative offsets leave the JIT's fast path and cost 10x).
 * Channels are split across cores.
 */
public final class DepthwiseStrategy implements ConvStrategy {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    public String name() {
        return "depthwise";
    }

    public boolean supports(ConvGeometry g) {
        return g.groups() == g.inC() && g.outC() % g.inC() == 0;
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (!supports(g)) throw new IllegalArgumentException(name() + " does not compute " + g);
        return new Kernel(g, weight.clone(), epilogue, parallel);
    }

    private static final class Kernel implements ConvKernel {
        private final ConvGeometry g;
        private final float[] w;
        private final Epilogue epilogue;
        private final Parallel parallel;
        private final boolean vectorEpilogue;
        private final boolean relu;
        private final int multiplier, inH, inW, outH, outW, kH, kW, sw, phaseLen, rowLen;
        /** Where tap kx starts reading in a padded row, relative to the output column. */
        private final int[] tapOffset;
        private final ThreadLocal<float[]> padded;

        Kernel(ConvGeometry g, float[] w, Epilogue epilogue, Parallel parallel) {
            this.g = g;
            this.w = w;
            this.epilogue = epilogue;
            this.parallel = parallel;
            this.relu = epilogue.activation() == ActivationKind.RELU;
            this.vectorEpilogue = relu || epilogue.activation() == ActivationKind.IDENTITY;
            this.multiplier = g.outC() / g.inC();
            this.inH = g.inH();
            this.inW = g.inW();
            this.outH = g.outH();
            this.outW = g.outW();
            this.kH = g.kernelH();
            this.kW = g.kernelW();
            this.sw = g.strideW();
            // Long enough for the last output vector's widest tap: it reads up to column
            // roundUp(outW, L) - 1 + ((kW-1)*dilation) / sw of a phase.
            this.phaseLen = (outW + L - 1) / L * L + ((kW - 1) * g.dilationW()) / sw + 1;
            this.rowLen = sw * phaseLen;
            this.tapOffset = new int[kW];
            for (int kx = 0; kx < kW; kx++) {
                int lc = kx * g.dilationW();
                tapOffset[kx] = (lc % sw) * phaseLen + lc / sw;
            }
            this.padded = ThreadLocal.withInitial(() -> new float[inH * rowLen]);
        }

        public void forward(float[] x, float[] res, float[] y, int batch) {
            int planes = batch * g.outC();
            int tasks = Math.min(planes, parallel.threads() * 8);
            parallel.forRange(tasks, t -> {
                int hi = (int) ((long) planes * (t + 1) / tasks);
                for (int p = (int) ((long) planes * t / tasks); p < hi; p++) plane(x, res, y, p);
            });
        }

        /** Output plane p = (sample, output channel). */
        private void plane(float[] x, float[] res, float[] y, int p) {
            int oc = p % g.outC();
            int n = p / g.outC();
            float[] src = padded.get();
            fillPadded(x, (n * g.inC() + oc / multiplier) * inH * inW, src);
            int wOff = oc * kH * kW;
            float bias = epilogue.bias() == null ? 0f : epilogue.bias()[oc];
            int yPlane = p * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                int iy0 = oy * g.strideH() - g.padTop();
                int yRow = yPlane + oy * outW;
                for (int ox = 0; ox < outW; ox += L) {
                    FloatVector acc = FloatVector.zero(S);
                    for (int ky = 0; ky < kH; ky++) {
                        int iy = iy0 + ky * g.dilationH();
                        if (iy < 0 || iy >= inH) continue;
                        int row = iy * rowLen + ox;
                        for (int kx = 0; kx < kW; kx++) {
                            acc = FloatVector.fromArray(S, src, row + tapOffset[kx]).fma(FloatVector.broadcast(S, w[wOff + ky * kW + kx]), acc);
                        }
                    }
                    int lanes = Math.min(L, outW - ox);
                    VectorMask<Float> store = S.indexInRange(0, lanes);
                    if (vectorEpilogue) {
                        acc = acc.add(bias);
                        if (epilogue.residual()) acc = acc.add(FloatVector.fromArray(S, res, yRow + ox, store));
                        if (relu) acc = acc.max(0f);
                        acc.intoArray(y, yRow + ox, store);
                    } else {
                        acc.intoArray(y, yRow + ox, store);
                        epilogue.apply(y, yRow + ox, lanes, oc, res);
                    }
                }
            }
        }

        /**
         * Copies one input plane into rows padded with zeros on both sides and split into the
         * stride's phases, so every tap of every output vector is one plain, in-bounds load:
         * padded column c of phase r holds input column c*sw + r - padLeft.
         */
        private void fillPadded(float[] x, int plane, float[] dst) {
            int padL = g.padLeft();
            for (int iy = 0; iy < inH; iy++) {
                int from = plane + iy * inW;
                for (int r = 0; r < sw; r++) {
                    int to = iy * rowLen + r * phaseLen;
                    if (sw == 1) {
                        int lead = Math.min(padL, phaseLen);
                        java.util.Arrays.fill(dst, to, to + lead, 0f);
                        int copy = Math.min(inW, phaseLen - lead);
                        System.arraycopy(x, from, dst, to + lead, copy);
                        java.util.Arrays.fill(dst, to + lead + copy, to + phaseLen, 0f);
                    } else {
                        for (int c = 0; c < phaseLen; c++) {
                            int ix = c * sw + r - padL;
                            dst[to + c] = ix >= 0 && ix < inW ? x[from + ix] : 0f;
                        }
                    }
                }
            }
        }

        public String tiling() {
            return L + " output columns per vector, padded rows" + (sw > 1 ? " split into " + sw + " phases" : "");
        }
    }
}
