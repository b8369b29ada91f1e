package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.AlignedFloats;
import io.cnnc.kernels.cpu.FastActivation;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ScratchPool;
import java.util.List;
import io.cnnc.kernels.cpu.layout.Nchwc;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution on NCHWc tensors, blocked as MLAS blocks its NCHWc convolution. Output
 * channels go in groups of 4 blocks (64 channels; a last group of 2; with 8-channel blocks, groups of 2), and the output pixels of
 * the whole plane, row ends included, in register blocks of 6 (12 for 2-block groups): per input
 * channel the group's weight vectors are loaded once and each pixel's input value broadcast
 * ({@link NchwcMicrokernels}). The input is copied into a zero-bordered buffer first, so every
 * tap of every pixel is in bounds and one offset per pixel and one per (input block, tap) address
 * all of them: no border code, and 7-pixel rows do not waste lanes as row-vectorized kernels do.
 *
 * <p>The weight entries (input block, tap) are walked in chunks of about 32 KiB, so a chunk stays
 * in L1 while the task sweeps its pixels; the partial sums wait in a buffer shaped like the
 * output ([group][pixel][channels of the group]), and the epilogue runs on the last chunk while
 * they are still in L1.
 *
 * <p>An input whose channels do not fill blocks (a network's 3-channel image) is read as NCHW
 * instead: its entries are (channel, ky) and the register blocks' inner loop runs over the kx taps
 * of a planar row, consecutive floats as a block's 16 channels are; the output is still NCHW16c.
 */
final class NchwcDirectKernel implements ConvKernel {

    private static final VectorSpecies<Float> S = Nchwc.SPECIES;
    private static final int B = Nchwc.BLOCK;
    /** Bytes of weights per chunk: most of a 48 KiB L1, the rest for input lines and sums. */
    private static final int CHUNK_BYTES = 32 * 1024;
    /** Most output pixels one task sweeps, so its sums (a group's channels each) stay in L2. */
    private static final int MAX_TASK_PIXELS = 768;

    private final ConvGeometry g;
    private final Epilogue epilogue;
    private final Parallel parallel;
    private final int inBlocks, outBlocks, pixels, paddedH, paddedW, plane;
    /** Whether the input is NCHW with channels that do not fill blocks, read as is (see the class comment). */
    private final boolean rawInput;
    /** Input planes per sample (blocks, or channels when raw), the inner loop's length per entry (a block's channels, or kW taps), floats per input pixel (B or 1). */
    private final int inPlanes, inner, pixelFloats;
    /** Whether the geometry pads; the input is copied into a bordered buffer when it does or when it is planar. */
    private final boolean bordered, padded;
    /** Whether input, residual and output are NCHW (reordered on the way in and out) rather than NCHWc. */
    private final boolean planar;
    /** Lane i's offset in a planar output: i planes on. */
    private final int[] planeIndex = new int[B];
    /** Per group: first output block, blocks computed (4 or 2), blocks that exist. */
    private final int[] groupFirst, groupWidth, groupReal;
    /** Per group: where its packed weights and its sums start. */
    private final int[] groupWeights, groupSums;
    private final float[] w;
    /** Offset of each output pixel's first tap in one input block of a sample; past the end, the last pixel's. */
    private final int[] base;
    /** Offset of each weight entry (input block, ky, kx) from a pixel's base. */
    private final int[] delta;
    private final int sumsPerSample, taskPixels;
    /** The bordered input's layout: kernels with the same one share the buffer (see {@link ScratchPool}). */
    private final List<Object> borderKey;

    NchwcDirectKernel(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel, boolean planar) {
        this.g = g;
        this.planar = planar;
        this.epilogue = epilogue;
        this.parallel = parallel;
        this.rawInput = !Nchwc.blocks(g.inC());
        if (rawInput && (planar || g.dilationW() != 1)) throw new IllegalArgumentException("an NCHW input of " + g.inC() + " channels needs a blocked output and kernel rows of consecutive taps: " + g);
        this.inBlocks = g.inC() / B;
        this.inPlanes = rawInput ? g.inC() : inBlocks;
        this.inner = rawInput ? g.kernelW() : B;
        this.pixelFloats = rawInput ? 1 : B;
        this.outBlocks = g.outC() / B;
        this.pixels = g.outH() * g.outW();
        // Planar input is blocked by the same copy that adds the border.
        this.bordered = g.padTop() + g.padBottom() + g.padLeft() + g.padRight() > 0;
        this.padded = planar || bordered;
        this.paddedH = g.inH() + g.padTop() + g.padBottom();
        this.paddedW = g.inW() + g.padLeft() + g.padRight();
        this.plane = paddedH * paddedW * pixelFloats;
        int group = NchwcRegisterBlocks.GROUP_BLOCKS, groups = (outBlocks + group - 1) / group;
        groupFirst = new int[groups];
        groupWidth = new int[groups];
        groupReal = new int[groups];
        groupWeights = new int[groups];
        groupSums = new int[groups];
        int entries = rawInput ? g.inC() * g.kernelH() : inBlocks * g.kernelH() * g.kernelW();
        int roundedPixels = (pixels + 11) / 12 * 12;
        int weightFloats = 0, sumFloats = 0;
        for (int q = 0; q < groups; q++) {
            groupFirst[q] = group * q;
            groupReal[q] = Math.min(group, outBlocks - group * q);
            groupWidth[q] = NchwcRegisterBlocks.groupWidth(groupReal[q]);
            groupWeights[q] = weightFloats;
            groupSums[q] = sumFloats;
            weightFloats += entries * inner * groupWidth[q] * B;
            sumFloats += roundedPixels * groupWidth[q] * B;
        }
        this.sumsPerSample = sumFloats;
        this.w = pack(weight, weightFloats);
        this.base = new int[roundedPixels];
        for (int p = 0; p < roundedPixels; p++) {
            int q = Math.min(p, pixels - 1);
            base[p] = ((q / g.outW()) * g.strideH() * paddedW + (q % g.outW()) * g.strideW()) * pixelFloats;
        }
        this.delta = new int[entries];
        if (rawInput) {
            for (int ic = 0, e = 0; ic < g.inC(); ic++) {
                for (int ky = 0; ky < g.kernelH(); ky++, e++) delta[e] = ic * plane + ky * g.dilationH() * paddedW;
            }
        } else {
            for (int icb = 0, e = 0; icb < inBlocks; icb++) {
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    for (int kx = 0; kx < g.kernelW(); kx++, e++) {
                        delta[e] = icb * plane + (ky * g.dilationH() * paddedW + kx * g.dilationW()) * B;
                    }
                }
            }
        }
        this.taskPixels = taskPixels(groups);
        for (int i = 0; i < B; i++) planeIndex[i] = i * pixels;
        this.borderKey = List.of("nchwc-border", rawInput, inPlanes, g.inH(), g.inW(), paddedH, paddedW, g.padTop(), g.padLeft());
    }

    /**
     * PyTorch's [outC][inC][kH][kW] as, per group, [input block][ky][kx][16 in][width * 16 out],
     * or for a raw input [channel][ky][kx][width * 16 out]: per entry, {@code inner} rows of
     * weights. Each group starts on a cache line (its offset moved to where it lies).
     */
    private float[] pack(float[] weight, int floats) {
        float[] p = AlignedFloats.allocate(floats).shifting(groupWeights);
        fill(p, weight);
        return p;
    }

    @Override
    public boolean replaceWeights(float[] weight) {
        fill(w, weight);
        return true;
    }

    /** Writes the weights where {@link #pack} laid them out. */
    private void fill(float[] p, float[] weight) {
        int kh = g.kernelH(), kw = g.kernelW(), taps = kh * kw;
        for (int q = 0; q < groupFirst.length; q++) {
            int width = groupWidth[q] * B;
            for (int j = 0; j < groupReal[q] * B; j++) {
                int oc = groupFirst[q] * B + j;
                for (int ic = 0; ic < g.inC(); ic++) {
                    for (int t = 0; t < taps; t++) {
                        // Entry and row within it: (block, tap) and channel, or (channel, ky) and kx.
                        int e = rawInput ? ic * kh + t / kw : ic / B * taps + t;
                        int row = rawInput ? t % kw : ic % B;
                        p[groupWeights[q] + (e * inner + row) * width + j] = weight[(oc * g.inC() + ic) * taps + t];
                    }
                }
            }
        }
    }

    /** Pixels per task: a multiple of 12, few enough for 4 tasks per thread when the groups alone are fewer. */
    private int taskPixels(int groups) {
        int split = Math.max(1, (4 * parallel.threads() + groups - 1) / groups);
        int perTask = Math.min((pixels + split - 1) / split, MAX_TASK_PIXELS);
        return Math.max(12, (perTask + 11) / 12 * 12);
    }

    public void forward(float[] x, float[] res, float[] y, int batch) {
        float[] in = x;
        float[] bordered = null;
        if (padded) {
            // Shared with the kernels of the same input layout (its border is only ever zero).
            bordered = ScratchPool.take(borderKey, batch * inPlanes * plane);
            float[] dst = bordered;
            if (planar) parallel.forRange(batch * inBlocks, c -> copyBlocked(x, dst, c));
            else parallel.forRange(batch * inPlanes, c -> copyPadded(x, dst, c));
            in = dst;
        }
        AlignedFloats.Growable sums = ScratchPool.take(Sums.class, Sums::new).fit(batch * sumsPerSample);
        float[] input = in;
        int chunksPerGroup = (pixels + taskPixels - 1) / taskPixels;
        int perSample = groupFirst.length * chunksPerGroup;
        parallel.forRange(batch * perSample, t -> {
            int n = t / perSample, q = t % perSample / chunksPerGroup, chunk = t % chunksPerGroup;
            int p0 = chunk * taskPixels;
            run(input, n, q, p0, Math.min(pixels, p0 + taskPixels), res, y, sums.array, sums.at);
        });
        ScratchPool.give(Sums.class, sums);
        if (bordered != null) ScratchPool.give(borderKey, bordered);
    }

    /**
     * The partial sums, one buffer for every direct-nchwc kernel on the calling thread (grown to
     * the largest): each task writes its sums on the first weight chunk before reading them, so
     * the next layer finds the buffer in cache instead of where this kernel left it a forward
     * pass ago.
     */
    private static final class Sums extends AlignedFloats.Growable {}

    /** Input plane c (sample and block, or channel when raw) into the middle of its zero-bordered plane; the border is never written. */
    private void copyPadded(float[] x, float[] dst, int c) {
        int rowFloats = g.inW() * pixelFloats;
        int src = c * g.inH() * rowFloats;
        int d = c * plane + (g.padTop() * paddedW + g.padLeft()) * pixelFloats;
        for (int iy = 0; iy < g.inH(); iy++, src += rowFloats, d += paddedW * pixelFloats) System.arraycopy(x, src, dst, d, rowFloats);
    }

    /**
     * Input block c (sample and block) of a planar input, blocked into the middle of its
     * zero-bordered plane row by row: one destination row (a few KiB) is written by the 16
     * channels' passes while it is in L1.
     */
    private void copyBlocked(float[] x, float[] dst, int c) {
        int spatial = g.inH() * g.inW();
        for (int iy = 0; iy < g.inH(); iy++) {
            Nchwc.blockPixels(x, c * B * spatial + iy * g.inW(), spatial, dst, c * plane + ((iy + g.padTop()) * paddedW + g.padLeft()) * B, g.inW());
        }
    }

    /** Output pixels p0..p1-1 of group q, sample n: every weight chunk over them, then the epilogue. */
    private void run(float[] x, int n, int q, int p0, int p1, float[] res, float[] y, float[] sums, int sumsAt) {
        int width = groupWidth[q];
        int step = NchwcRegisterBlocks.stepPixels(width);
        int entryFloats = inner * width * B;
        int chunk = Math.max(1, CHUNK_BYTES / (4 * entryFloats));
        int entries = delta.length;
        int xBase = n * inPlanes * plane;
        int sumBase = sumsAt + n * sumsPerSample + groupSums[q];
        float streamed = 0f;
        for (int e0 = 0; e0 < entries; e0 += chunk) {
            int e1 = Math.min(entries, e0 + chunk);
            int wOff = groupWeights[q] + e0 * entryFloats;
            boolean first = e0 == 0, last = e1 == entries;
            streamed += stream(w, wOff, (e1 - e0) * entryFloats);
            for (int p = p0; p < p1; p += step) {
                int aOff = sumBase + p * width * B;
                if (rawInput) NchwcMicrokernels.stepRows(width, x, xBase, base, p, delta, e0, e1, inner, w, wOff, sums, aOff, first);
                else NchwcMicrokernels.step(width, p1 - p, x, xBase, base, p, delta, e0, e1, w, wOff, sums, aOff, first);
                if (last) finish(n, q, p, Math.min(step, p1 - p), aOff, res, y, sums);
            }
        }
        // Keeps the stream reads alive; the sums are scratch by now.
        if (streamed != streamed) sums[sumBase] = streamed;
    }

    /**
     * Reads {@code n} floats (a multiple of 16) of weights from {@code off} on as a plain sequential stream, so the
     * chunk is in L1 before the register blocks run over it: the blocks' own loads of a chunk
     * still in L3 wait on each other, and this loop streams faster (docs/kernels.md, "Weight
     * streaming"). A chunk already in L1 or L2 costs a few hundred cycles against several
     * thousand of arithmetic.
     */
    static float stream(float[] w, int off, int n) {
        FloatVector a = FloatVector.zero(S), b = a, c = a, d = a;
        int i = off, end = off + n;
        for (; i + 4 * B <= end; i += 4 * B) {
            a = a.add(FloatVector.fromArray(S, w, i));
            b = b.add(FloatVector.fromArray(S, w, i + B));
            c = c.add(FloatVector.fromArray(S, w, i + 2 * B));
            d = d.add(FloatVector.fromArray(S, w, i + 3 * B));
        }
        // n is a multiple of B: entries of kW taps (raw inputs) are not of 4B.
        for (; i < end; i += B) a = a.add(FloatVector.fromArray(S, w, i));
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }

    /** Bias, residual and activation on {@code count} pixels' sums of group q, into the output. */
    private void finish(int n, int q, int p, int count, int aOff, float[] res, float[] y, float[] sums) {
        float[] bias = epilogue.bias();
        ActivationKind act = epilogue.activation();
        boolean relu = act == ActivationKind.RELU;
        boolean other = !relu && act != ActivationKind.IDENTITY;
        int width = groupWidth[q] * B;
        for (int b = 0; b < groupReal[q]; b++) {
            int ob = groupFirst[q] + b;
            FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ob * B);
            if (planar) {
                // Each vector is one pixel's block of channels: scattered to as many planes.
                int yOff = (n * outBlocks + ob) * B * pixels + p;
                for (int j = 0; j < count; j++) {
                    FloatVector v = FloatVector.fromArray(S, sums, aOff + j * width + b * B).add(bv);
                    if (epilogue.residual()) v = v.add(FloatVector.fromArray(S, res, yOff + j, planeIndex, 0));
                    if (relu) v = v.max(0f);
                    v.intoArray(y, yOff + j, planeIndex, 0);
                }
                if (other) for (int c = 0; c < B; c++) FastActivation.range(act, epilogue.alpha(), y, yOff + c * pixels, y, yOff + c * pixels, count);
                continue;
            }
            int yOff = ((n * outBlocks + ob) * pixels + p) * B;
            for (int j = 0; j < count; j++) {
                FloatVector v = FloatVector.fromArray(S, sums, aOff + j * width + b * B).add(bv);
                if (epilogue.residual()) v = v.add(FloatVector.fromArray(S, res, yOff + j * B));
                if (relu) v = v.max(0f);
                v.intoArray(y, yOff + j * B);
            }
            if (other) FastActivation.range(act, epilogue.alpha(), y, yOff, y, yOff, count * B);
        }
    }

    public String tiling() {
        int last = groupFirst.length - 1;
        int full = NchwcRegisterBlocks.GROUP_BLOCKS;
        String tail = NchwcRegisterBlocks.lastGroupNote(groupReal[last], groupWidth[last], "pixels");
        return String.format("%s, %d group(s) of %d channel blocks x 6 pixels in registers%s, weights in %d-entry chunks (%d KiB), "
                        + "%d pixels per task%s",
                planar ? "NCHW in and out, blocked to " + Nchwc.NAME + " on the way in" : rawInput ? "NCHW in (rows of kx taps), " + Nchwc.NAME + " out" : Nchwc.NAME,
                groupFirst.length, full, tail, Math.max(1, CHUNK_BYTES / (4 * inner * groupWidth[0] * B)), CHUNK_BYTES / 1024, taskPixels,
                bordered ? (planar ? ", into a zero border" : ", input copied into a zero border") : "");
    }
}
