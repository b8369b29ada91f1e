package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.AlignedFloats;
import io.cnnc.kernels.cpu.FastActivation;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.layout.Nchwc;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * An inverted residual block (MobileNetV2's bottleneck: a 1x1 expansion, a depthwise
 * convolution, a 1x1 projection, each with its batch norm folded in, the first two with an
 * activation, the last with the block's residual) computed a few output rows at a time, so the
 * expanded tensor never leaves the core's caches. Computed one layer after the other, the
 * expansion writes (say) 144 x 56 x 56 floats that the depthwise layer reads back cold. Without
 * a projection (EfficientNet's blocks, whose squeeze-excitation needs the whole depthwise output
 * before the projection can start) it computes the expansion and the depthwise layer, and the
 * depthwise output is the kernel's.
 *
 * <p>Each task owns a band of output rows and walks it in steps of {@code rows} output rows:
 * it expands the input rows the step's depthwise windows need and the last step did not,
 * into a ring of expanded rows (NCHW16c, {@code ringRows} rows per channel block), runs the
 * depthwise convolution over the ring into a step buffer, and projects that into the output.
 * Each expanded row is computed once per task; only the rows a band's first windows share with
 * the band before are computed twice. The 1x1 convolutions are the register blocks of the
 * direct NCHW16c kernel ({@link NchwcMicrokernels}: 4 channel blocks x 6 pixels, or 2 x 12),
 * the depthwise one {@link DepthwiseNchwcRow}. Input and output are NCHW or NCHW16c, whichever
 * the layers around the block use. Results are the same on any number of threads (each output
 * is one fixed chain of FMAs).
 */
public final class InvertedResidualKernel implements ConvKernel {

    private static final VectorSpecies<Float> S = Nchwc.SPECIES;
    private static final int B = Nchwc.BLOCK;
    /** Output pixels a step aims at, so the projection's register blocks have rows to run over. */
    private static final int STEP_PIXELS = 48;

    private final ConvGeometry depthwise;
    private final Epilogue expandEpilogue, depthwiseEpilogue, projectEpilogue;
    private final boolean blockedInput, blockedOutput;
    private final Parallel parallel;
    private final DepthwiseNchwcRow dw;
    private final int inC, inH, inW, expanded, expandedBlocks, outC, outBlocks, outH, outW;
    /** Output rows a step computes, input rows the ring holds, floats per ring block and per step-buffer block. */
    private final int rows, ringRows, ringPlane, stepPlane;
    /** Input channel blocks (the last one zero-padded), and the most input pixels one expansion run reads. */
    private final int inBlocks, runPixels;
    private final OneByOne expansion, projection;
    private final float expandLo, expandHi, projectLo, projectHi;
    /** Bands of output rows, one task each. */
    private final int bands;
    private final Scratch[] scratch;

    /**
     * Whether this kernel computes the block: shapes that chain, 1x1s at stride 1, a depthwise
     * conv on whole channel blocks, a projection (if any) that only clamps, native vectors of a block.
     * {@code project} null: no projection, the depthwise output is the kernel's.
     */
    public static boolean computes(ConvGeometry expand, ConvGeometry depthwise, ConvGeometry project, ActivationKind expandActivation,
                                   ActivationKind depthwiseActivation, ActivationKind projectActivation, boolean blockedInput, boolean blockedOutput) {
        boolean projected = project == null || pointwise(project) && depthwise.outC() == project.inC()
                && depthwise.outH() == project.inH() && depthwise.outW() == project.inW() && clamps(projectActivation)
                && (!blockedOutput || Nchwc.blocks(project.outC()));
        return Nchwc.nativeVectors()
                && pointwise(expand) && projected
                && depthwise.groups() == depthwise.inC() && depthwise.outC() == depthwise.inC()
                && expand.outC() == depthwise.inC()
                && expand.inH() == depthwise.inH() && expand.inW() == depthwise.inW()
                && Nchwc.blocks(depthwise.inC())
                && expandActivation != null && depthwiseActivation != null
                && (!blockedInput || Nchwc.blocks(expand.inC()));
    }

    private static boolean pointwise(ConvGeometry g) {
        return g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.groups() == 1
                && g.padTop() + g.padLeft() + g.padBottom() + g.padRight() == 0;
    }

    private static boolean clamps(ActivationKind a) {
        return a == ActivationKind.IDENTITY || a == ActivationKind.RELU || a == ActivationKind.RELU6;
    }

    /**
     * Weights are PyTorch's ([out, in/groups, kH, kW], batch norm folded in, not modified); the
     * epilogues give each layer's bias and activation, the projection's its residual (the block's
     * input, in the output's layout).
     */
    public InvertedResidualKernel(ConvGeometry expand, float[] expandWeight, Epilogue expandEpilogue,
                                  ConvGeometry depthwise, float[] depthwiseWeight, Epilogue depthwiseEpilogue,
                                  ConvGeometry project, float[] projectWeight, Epilogue projectEpilogue,
                                  boolean blockedInput, boolean blockedOutput, Parallel parallel) {
        if (!computes(expand, depthwise, project, expandEpilogue.activation(), depthwiseEpilogue.activation(),
                project == null ? null : projectEpilogue.activation(), blockedInput, blockedOutput)) {
            throw new IllegalArgumentException("not an inverted residual block this kernel computes: " + expand + ", " + depthwise + ", " + project);
        }
        this.depthwise = depthwise;
        this.expandEpilogue = expandEpilogue;
        this.projectEpilogue = projectEpilogue;
        this.blockedInput = blockedInput;
        this.blockedOutput = blockedOutput;
        this.parallel = parallel;
        this.inC = expand.inC();
        this.inH = expand.inH();
        this.inW = expand.inW();
        this.expanded = expand.outC();
        this.expandedBlocks = expanded / B;
        this.outC = project == null ? expanded : project.outC();
        this.outBlocks = (outC + B - 1) / B;
        this.outH = depthwise.outH();
        this.outW = depthwise.outW();
        this.dw = new DepthwiseNchwcRow(depthwise, depthwiseWeight, depthwiseEpilogue.residual() ? Epilogue.of(depthwiseEpilogue.bias(), false,
                depthwiseEpilogue.activation(), depthwiseEpilogue.alpha()) : depthwiseEpilogue);
        this.rows = Math.max(1, Math.min(outH, (STEP_PIXELS + outW - 1) / outW));
        this.ringRows = Math.min(inH, (rows - 1) * depthwise.strideH() + (depthwise.kernelH() - 1) * depthwise.dilationH() + 1);
        this.ringPlane = ringRows * inW * B;
        this.stepPlane = rows * outW * B;
        // A blocked input is read where it lies; a planar one's rows are blocked into scratch first, its channels padded to whole blocks.
        this.inBlocks = (inC + B - 1) / B;
        this.runPixels = ringRows * inW;
        int inPixels = blockedInput ? inH * inW : runPixels;
        this.expansion = new OneByOne(expandWeight, expanded, inC, pixelOffsets(inPixels), entryOffsets(inBlocks, inPixels * B));
        this.projection = project == null ? null : new OneByOne(projectWeight, outC, expanded, pixelOffsets(rows * outW), entryOffsets(expandedBlocks, stepPlane));
        this.expandLo = low(expandEpilogue.activation());
        this.expandHi = high(expandEpilogue.activation());
        this.projectLo = project == null ? Float.NEGATIVE_INFINITY : low(projectEpilogue.activation());
        this.projectHi = project == null ? Float.POSITIVE_INFINITY : high(projectEpilogue.activation());
        this.depthwiseEpilogue = depthwiseEpilogue;
        this.bands = Math.max(1, Math.min(parallel.threads(), outH));
        this.scratch = new Scratch[bands];
        for (int t = 0; t < bands; t++) {
            scratch[t] = new Scratch(expandedBlocks * ringPlane, expandedBlocks * stepPlane, blockedInput ? 0 : inBlocks * runPixels * B,
                    blockedOutput || project == null ? 0 : outBlocks * rows * outW * B, depthwise.kernelH());
        }
    }

    /** ReLU and ReLU6 clamp in registers; other activations run over the finished pixels ({@link #other}). */
    private static float low(ActivationKind a) {
        return a == ActivationKind.RELU || a == ActivationKind.RELU6 ? 0f : Float.NEGATIVE_INFINITY;
    }

    private static boolean other(ActivationKind a) {
        return !clamps(a);
    }

    private static float high(ActivationKind a) {
        return a == ActivationKind.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    }

    /** Offset of pixel p in a block of {@code pixels}; past the last pixel (a register block's overhang), the last pixel's. */
    private static int[] pixelOffsets(int pixels) {
        int[] base = new int[pixels + 12];
        for (int p = 0; p < base.length; p++) base[p] = Math.min(p, pixels - 1) * B;
        return base;
    }

    private static int[] entryOffsets(int entries, int stride) {
        int[] delta = new int[entries];
        for (int e = 0; e < entries; e++) delta[e] = e * stride;
        return delta;
    }

    /**
     * What one task writes between its steps: the ring of expanded rows, the depthwise output of a
     * step, one register block's sums, a planar input's rows blocked (channels past the input's
     * stay zero), and a planar output's step blocked before it is transposed into the output.
     */
    private static final class Scratch {
        final float[] ring, step, in, out;
        final int ringAt, stepAt, inAt, outAt;
        final float[] sums = new float[12 * 4 * B];
        final int[] taps;

        Scratch(int ringFloats, int stepFloats, int inFloats, int outFloats, int kernelH) {
            AlignedFloats.Slice r = AlignedFloats.allocate(ringFloats), s = AlignedFloats.allocate(stepFloats);
            AlignedFloats.Slice i = AlignedFloats.allocate(Math.max(inFloats, 1)), o = AlignedFloats.allocate(Math.max(outFloats, 1));
            this.out = o.array();
            this.outAt = o.offset();
            this.ring = r.array();
            this.ringAt = r.offset();
            this.step = s.array();
            this.stepAt = s.offset();
            this.in = i.array();
            this.inAt = i.offset();
            this.taps = new int[kernelH];
        }
    }

    /**
     * A 1x1 convolution on NCHW16c: its weights packed for the register blocks, per group of 4
     * (or a last 2) output-channel blocks [input channel][group width x 16] (channels past
     * {@code inC} zero), and the offsets its blocks read the input at: {@code base} per pixel,
     * {@code delta} per input block.
     */
    private static final class OneByOne {
        final int[] first, width, real, weightAt, base, delta;
        final float[] w;

        OneByOne(float[] weight, int outC, int inC, int[] base, int[] delta) {
            this.base = base;
            this.delta = delta;
            int blocks = (outC + B - 1) / B, groups = (blocks + NchwcRegisterBlocks.GROUP_BLOCKS - 1) / NchwcRegisterBlocks.GROUP_BLOCKS;
            first = new int[groups];
            width = new int[groups];
            real = new int[groups];
            weightAt = new int[groups];
            int floats = 0;
            for (int q = 0; q < groups; q++) {
                first[q] = q * NchwcRegisterBlocks.GROUP_BLOCKS;
                real[q] = Math.min(NchwcRegisterBlocks.GROUP_BLOCKS, blocks - first[q]);
                width[q] = NchwcRegisterBlocks.groupWidth(real[q]);
                weightAt[q] = floats;
                floats += delta.length * B * width[q] * B;
            }
            this.w = AlignedFloats.allocate(floats).shifting(weightAt);
            for (int q = 0; q < groups; q++) {
                int row = width[q] * B;
                for (int j = 0; j < real[q] * B && first[q] * B + j < outC; j++) {
                    int oc = first[q] * B + j;
                    for (int ic = 0; ic < inC; ic++) w[weightAt[q] + ic * row + j] = weight[oc * inC + ic];
                }
            }
        }

        /** Pixels a step of group q covers. */
        int step(int q) {
            return NchwcRegisterBlocks.stepPixels(width[q]);
        }

        /** Group q's sums for pixels p.. of the input at {@code x[xBase]} into {@code sums}, [pixel][width x B]. */
        void sums(int q, float[] x, int xBase, int p, int left, float[] sums) {
            NchwcMicrokernels.step(width[q], left, x, xBase, base, p, delta, 0, delta.length, w, weightAt[q], sums, 0, true);
        }
    }

    /** The block on {@code batch} samples; {@code res} (the output's shape and layout) is read when the projection has a residual. */
    @Override
    public void forward(float[] x, float[] res, float[] y, int batch) {
        parallel.forRange(bands, t -> {
            for (int n = 0; n < batch; n++) band(x, res, y, n, outH * t / bands, outH * (t + 1) / bands, scratch[t]);
        });
    }

    /** Output rows [r0, r1) of sample n. */
    private void band(float[] x, float[] res, float[] y, int n, int r0, int r1, Scratch s) {
        int sh = depthwise.strideH(), reach = (depthwise.kernelH() - 1) * depthwise.dilationH() + 1;
        int have = -1;
        for (int oy = r0; oy < r1; oy += rows) {
            int count = Math.min(rows, r1 - oy);
            int lo = Math.max(0, oy * sh - depthwise.padTop());
            int hi = Math.min(inH, (oy + count - 1) * sh - depthwise.padTop() + reach);
            // Rows [lo, have) are still in the ring from the last step: hi - lo <= ringRows, so the new ones overwrite only rows above lo.
            for (int r = Math.max(lo, have); r < hi; ) {
                int slot = r % ringRows, run = Math.min(hi - r, ringRows - slot);
                expandRows(x, n, r * inW, run * inW, slot * inW, s);
                r += run;
            }
            have = Math.max(have, hi);
            boolean direct = projection == null && blockedOutput;
            for (int cb = 0; cb < expandedBlocks; cb++) {
                for (int i = 0; i < count; i++) {
                    // Without a projection a blocked output is written in place; otherwise the step buffer.
                    float[] to = direct ? y : s.step;
                    int at = direct ? ((n * expandedBlocks + cb) * outH + oy + i) * outW * B : s.stepAt + cb * stepPlane + i * outW * B;
                    dw.tapRows(oy + i, s.ringAt + cb * ringPlane, ringRows, s.taps);
                    dw.row(s.ring, s.taps, cb, null, to, at);
                    if (other(depthwiseEpilogue.activation())) {
                        FastActivation.range(depthwiseEpilogue.activation(), depthwiseEpilogue.alpha(), to, at, to, at, outW * B);
                    }
                }
            }
            if (projection != null) projectStep(n, oy * outW, count * outW, s, res, y);
            else if (!blockedOutput) unblockStep(n, oy * outW, count * outW, s.step, s.stepAt, stepPlane, y);
        }
    }

    /** Input pixels [p0, p0 + count) of sample n, expanded into the ring from ring pixel q0 on. */
    private void expandRows(float[] x, int n, int p0, int count, int q0, Scratch s) {
        int xBase = n * inC * inH * inW, from = p0;
        float[] in = x;
        if (!blockedInput) {
            blockRun(x, xBase, p0, count, s);
            in = s.in;
            xBase = s.inAt;
            from = 0;
        }
        float[] bias = expandEpilogue.bias();
        for (int q = 0; q < expansion.first.length; q++) {
            int step = expansion.step(q), width = expansion.width[q] * B;
            for (int p = p0; p < p0 + count; p += step) {
                int left = p0 + count - p;
                expansion.sums(q, in, xBase, from + p - p0, left, s.sums);
                int pixels = Math.min(left, step);
                for (int b = 0; b < expansion.real[q]; b++) {
                    int cb = expansion.first[q] + b;
                    FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, cb * B);
                    int to = s.ringAt + cb * ringPlane + (q0 + p - p0) * B;
                    for (int j = 0; j < pixels; j++) {
                        FloatVector.fromArray(S, s.sums, j * width + b * B).add(bv).max(expandLo).min(expandHi).intoArray(s.ring, to + j * B);
                    }
                }
            }
            // Other activations once over each block's run, still in cache: per register step it was a call per 6 pixels.
            if (!other(expandEpilogue.activation())) continue;
            for (int b = 0; b < expansion.real[q]; b++) {
                int at = s.ringAt + (expansion.first[q] + b) * ringPlane + q0 * B;
                FastActivation.range(expandEpilogue.activation(), expandEpilogue.alpha(), s.ring, at, s.ring, at, count * B);
            }
        }
    }

    /** Planar input pixels [p0, p0 + count) from {@code x[xBase]} into the task's blocked rows. */
    private void blockRun(float[] x, int xBase, int p0, int count, Scratch s) {
        int spatial = inH * inW;
        for (int cb = 0; cb < inBlocks; cb++) {
            int src = xBase + cb * B * spatial + p0, dst = s.inAt + cb * runPixels * B;
            int channels = Math.min(B, inC - cb * B);
            if (channels == B) {
                Nchwc.blockPixels(x, src, spatial, s.in, dst, count);
            } else {
                for (int c = 0; c < channels; c++) {
                    for (int i = 0; i < count; i++) s.in[dst + i * B + c] = x[src + c * spatial + i];
                }
            }
        }
    }

    /** The step buffer's {@code count} pixels projected into output pixels [p0, p0 + count) of sample n. */
    private void projectStep(int n, int p0, int count, Scratch s, float[] res, float[] y) {
        float[] bias = projectEpilogue.bias();
        boolean residual = projectEpilogue.residual();
        int outPixels = outH * outW;
        for (int q = 0; q < projection.first.length; q++) {
            int step = projection.step(q), width = projection.width[q] * B;
            for (int p = 0; p < count; p += step) {
                projection.sums(q, s.step, s.stepAt, p, count - p, s.sums);
                int pixels = Math.min(count - p, step);
                for (int b = 0; b < projection.real[q]; b++) {
                    int ob = projection.first[q] + b;
                    // A last block of fewer channels (planar output only) masked.
                    VectorMask<Float> m = S.indexInRange(0, outC - ob * B);
                    FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ob * B, m);
                    if (blockedOutput) {
                        int at = ((n * outBlocks + ob) * outPixels + p0 + p) * B;
                        for (int j = 0; j < pixels; j++) {
                            FloatVector v = FloatVector.fromArray(S, s.sums, j * width + b * B).add(bv);
                            if (residual) v = v.add(FloatVector.fromArray(S, res, at + j * B));
                            v.max(projectLo).min(projectHi).intoArray(y, at + j * B);
                        }
                    } else {
                        // Blocked into the task's buffer; transposed into the planes below (a scatter per pixel cost more).
                        int at = s.outAt + (ob * rows * outW + p) * B;
                        for (int j = 0; j < pixels; j++) {
                            FloatVector v = FloatVector.fromArray(S, s.sums, j * width + b * B).add(bv);
                            // Clamped here unless a residual comes first (addResidual clamps after it).
                            if (!residual) v = v.max(projectLo).min(projectHi);
                            v.intoArray(s.out, at + j * B);
                        }
                    }
                }
            }
        }
        if (!blockedOutput) {
            unblockStep(n, p0, count, s.out, s.outAt, rows * outW * B, y);
            if (projectEpilogue.residual()) addResidual(n, p0, count, res, y);
        }
    }

    /** A step's {@code count} pixels from a blocked buffer ({@code plane} floats a block, from {@code at}) into the planar output at pixel p0. */
    private void unblockStep(int n, int p0, int count, float[] from, int at, int plane, float[] y) {
        int outPixels = outH * outW;
        for (int ob = 0; ob < outBlocks; ob++) {
            int channels = Math.min(B, outC - ob * B);
            int src = at + ob * plane, dst = (n * outC + ob * B) * outPixels + p0;
            if (channels == B) {
                Nchwc.unblockPixels(from, src, y, dst, outPixels, count);
            } else {
                for (int c = 0; c < channels; c++) {
                    for (int i = 0; i < count; i++) y[dst + c * outPixels + i] = from[src + i * B + c];
                }
            }
        }
    }

    /** The residual added to a planar step's output, and the projection's clamp after it. */
    private void addResidual(int n, int p0, int count, float[] res, float[] y) {
        int outPixels = outH * outW;
        for (int c = 0; c < outC; c++) {
            int at = (n * outC + c) * outPixels + p0, i = 0;
            for (; i < S.loopBound(count); i += B) {
                FloatVector.fromArray(S, y, at + i).add(FloatVector.fromArray(S, res, at + i)).max(projectLo).min(projectHi).intoArray(y, at + i);
            }
            for (; i < count; i++) y[at + i] = Math.min(projectHi, Math.max(projectLo, y[at + i] + res[at + i]));
        }
    }

    /** The kernel's steps and layouts, for {@code cnnc compile --explain}. */
    @Override
    public String tiling() {
        return String.format("%s%s in, %s out; %d output row(s) a step, a ring of %d expanded rows (%d KiB) per task, %d task(s)",
                projection == null ? "expansion and depthwise only; " : "", blockedInput ? Nchwc.NAME : "NCHW", blockedOutput ? Nchwc.NAME : "NCHW", rows, ringRows,
                expandedBlocks * ringPlane * 4 / 1024, bands);
    }
}
