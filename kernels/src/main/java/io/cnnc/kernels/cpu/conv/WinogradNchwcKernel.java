package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.AlignedFloats;
import io.cnnc.kernels.cpu.FastActivation;
import io.cnnc.kernels.cpu.FastestWay;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ScratchPool;
import io.cnnc.kernels.cpu.layout.Nchwc;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(m x m, 3 x 3) on NCHW16c tensors. With 16 channels in a vector, every transform is
 * elementwise across channels: a tile's t x t pixels are t*t vectors, and B^T d B and A^T M A are
 * sums of vectors with the transform's coefficients ({@link WinogradNchwcTransforms}), with no shuffles or transposes (the planar
 * {@link WinogradKernel} needs both). The t*t products M[f] = V[f] U[f] are then 1x1
 * convolutions over "pixels" that are tiles, which is what {@link NchwcMicrokernels} computes:
 * 4 output blocks x 6 tiles in registers (a block's last 1-2 or 3-4 tiles as 2 or 4, so no
 * padding tiles are computed), weights (U^T per frequency, packed like direct-nchwc's) loaded as
 * vectors, transformed inputs broadcast.
 *
 * <p>A sample's tiles go in blocks whose transformed input V (all input blocks) and one output
 * group's products M fit in L2. Per block: V is computed once, then per group of 4 output blocks
 * the t*t products and the output transform, whose bias, residual and activation run on the
 * vectors before they are stored. Edge tiles read their window through a zero-filled copy;
 * interior tiles read the input in place. Tasks are (sample, block); with fewer blocks than
 * threads a block's groups are split too, each part transforming the block's input itself, or
 * a lone sample's tiles go in a block per thread instead, whichever times faster in place (as
 * does streaming the weights ahead of the register blocks or not).
 * Every output element is computed by the same operations in the same order whatever the split.
 */
final class WinogradNchwcKernel implements ConvKernel {

    private static final VectorSpecies<Float> S = Nchwc.SPECIES;
    private static final int B = Nchwc.BLOCK;
    /** Output channels of a full register group. */
    private static final int GROUP = NchwcRegisterBlocks.GROUP_BLOCKS * B;
    /** V plus one group's M per block, most of a 2 MiB L2: less cut layers into blocks that each stream all the weights, more spilled (docs/kernels.md, "Blocks"). */
    static final int BLOCK_BYTES = 1536 * 1024;
    /** Bytes of weights per chunk of input blocks, as in direct-nchwc: they stay in L1 while the block's tiles sweep them. */
    private static final int CHUNK_BYTES = 32 * 1024;


    private final WinogradTransform tf;
    private final int m, t, freqs;
    private final ConvGeometry g;
    private final int inBlocks, outBlocks, tilesX, tilesPerSample;
    /**
     * How a sample's tiles go in blocks: tiles per block, and the block's rows in V and M (a
     * multiple of 12 so either register block's last step stays inside), and where input block
     * e starts within one frequency of V.
     */
    private record Tiling(int blocksPerSample, int block, int rows, int[] delta) {

        static Tiling of(int tiles, int blocksPerSample, int inBlocks) {
            // Even blocks: 196 tiles in 48s would leave a last block of 4 tiles paying for 12.
            int block = (tiles + blocksPerSample - 1) / blocksPerSample;
            int rows = (block + 11) / 12 * 12;
            int[] delta = new int[inBlocks];
            for (int e = 0; e < inBlocks; e++) delta[e] = e * rows * B;
            return new Tiling(blocksPerSample, block, rows, delta);
        }
    }

    /** As few blocks as fit L2; when fewer than the threads, their output groups are shared out. */
    private final Tiling byGroups;
    /**
     * With one block per sample on several threads, the alternative: a block per thread, each
     * streaming all the weights but transforming only its own tiles. Null where there is none.
     */
    private final Tiling byTiles;
    /** How it runs, measured in place: with or without the weight stream, and for a lone sample which split; see {@link #forward}. */
    private final FastestWay ways;
    /** Per group: first output block, blocks computed (4 or 2), blocks that exist, where its packed weights start. */
    private final int[] groupFirst, groupWidth, groupReal, groupWeights;
    private final float[] w;
    /** Offset of tile row r in one input block of one frequency of V. */
    private final int[] base;
    private final Epilogue epilogue;
    private final Parallel parallel;

    WinogradNchwcKernel(WinogradTransform tf, ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        this.tf = tf;
        this.m = tf.m();
        this.t = tf.t();
        this.freqs = tf.frequencies();
        this.g = g;
        this.epilogue = epilogue;
        this.parallel = parallel;
        this.inBlocks = g.inC() / B;
        this.outBlocks = g.outC() / B;
        this.tilesX = (g.outW() + m - 1) / m;
        this.tilesPerSample = tilesX * ((g.outH() + m - 1) / m);
        int group = NchwcRegisterBlocks.GROUP_BLOCKS, groups = (outBlocks + group - 1) / group;
        int threads = parallel.threads();
        this.byGroups = Tiling.of(tilesPerSample, blocksPerSample(tf, g, threads), inBlocks);
        this.byTiles = threads > 1 && byGroups.blocksPerSample() == 1 && tilesPerSample >= 6 * threads
                ? Tiling.of(tilesPerSample, threads, inBlocks) : null;
        this.ways = new FastestWay(byTiles == null ? 2 : 4);
        groupFirst = new int[groups];
        groupWidth = new int[groups];
        groupReal = new int[groups];
        groupWeights = new int[groups];
        int weightFloats = 0;
        for (int q = 0; q < groups; q++) {
            groupFirst[q] = group * q;
            groupReal[q] = Math.min(group, outBlocks - group * q);
            groupWidth[q] = NchwcRegisterBlocks.groupWidth(groupReal[q]);
            groupWeights[q] = weightFloats;
            weightFloats += freqs * inBlocks * B * groupWidth[q] * B;
        }
        this.w = pack(weight, weightFloats);
        this.base = new int[byGroups.rows()];
        for (int r = 0; r < base.length; r++) base[r] = r * B;
    }

    /**
     * How many blocks a sample's tiles go in: as few as keep V and one group's M within
     * {@link #BLOCK_BYTES}, and when that is more than one, a multiple of the threads, so that no
     * core waits for another's last block.
     */
    static int blocksPerSample(WinogradTransform tf, ConvGeometry g, int threads) {
        int m = tf.m();
        int tiles = ((g.outW() + m - 1) / m) * ((g.outH() + m - 1) / m);
        long bytesPerTile = 4L * tf.frequencies() * (g.inC() + GROUP);
        int fit = (int) Math.max(12, Math.min(tiles, BLOCK_BYTES / bytesPerTile));
        int blocks = (tiles + fit - 1) / fit;
        if (blocks > 1) blocks = Math.min((tiles + 5) / 6, (blocks + threads - 1) / threads * threads);
        return blocks;
    }

    /**
     * U = G g G^T per filter (in double), as per group and frequency [input block][16 in][width * 16 out]: U^T, as direct-nchwc
     * packs its taps. Each group starts on a cache line (its offset moved to where it lies).
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
        float[] u = new float[freqs];
        for (int q = 0; q < groupFirst.length; q++) {
            int width = groupWidth[q] * B;
            for (int j = 0; j < groupReal[q] * B; j++) {
                int oc = groupFirst[q] * B + j;
                for (int ic = 0; ic < g.inC(); ic++) {
                    tf.transformFilter(weight, (oc * g.inC() + ic) * 9, u, 0, 1);
                    for (int f = 0; f < freqs; f++) {
                        p[groupWeights[q] + ((f * inBlocks + ic / B) * B + ic % B) * width + j] = u[f];
                    }
                }
            }
        }
    }

    /**
     * Per-thread buffers, one set for every kernel of this class (grown to the largest): V
     * [freq][input block][rows][16], one group's M [freq][rows][64], an edge tile's window and
     * the transforms' buffers. Every layer writes V and M from offset 0 before reading them, so
     * the next Winograd layer finds them in L2 rather than where a same-shape layer left them a
     * whole forward pass ago.
     */
    private static final class Scratch {
        /** V and M, from cache lines (see {@link AlignedFloats}). */
        final AlignedFloats.Growable v = new AlignedFloats.Growable(), mm = new AlignedFloats.Growable();
        /**
         * An edge tile's window, the transforms' buffer and an output tile, in one range from a
         * cache line: each vector the transforms store to {@code tmp} is loaded back at once.
         */
        final float[] small;
        final int window, tmp, out;

        Scratch() {
            AlignedFloats.Slice slice = AlignedFloats.allocate(2 * 6 * 6 * B + 4 * 4 * B);
            small = slice.array();
            window = slice.offset();
            tmp = window + 6 * 6 * B;
            out = tmp + 6 * 6 * B;
        }

        Scratch fit(int vFloats, int mFloats) {
            v.fit(vFloats);
            mm.fit(mFloats);
            return this;
        }
    }

    /**
     * Two choices are made in place, by timing the ways at the first calls ({@link FastestWay}),
     * because which is faster depends on whether the transformed weights are still in cache at
     * the next pass: yes for a layer alone, no inside ResNet-18. Every way computes every output
     * with the same operations in the same order, so the choice changes speed, never bits.
     * <ul>
     * <li>Streaming each weight chunk into L1 before its register blocks (way bit 0 clear): from
     * memory the blocks' own loads wait on each other, so the stream wins; from L3 it is a second
     * pass over the chunk.
     * <li>A lone sample in one block on several threads (way bit 1): its output groups shared out,
     * each part transforming the whole input, or its tiles, each part streaming all the
     * transformed weights; alone the tiles' way wins, inside ResNet-18 the groups' way.
     * </ul>
     * The measurements are in docs/kernels.md, "Winograd on NCHW16c".
     */
    @Override
    public void forward(float[] x, float[] residual, float[] y, int batch) {
        int way = ways.next();
        Tiling tl = (way & 2) != 0 && batch == 1 ? byTiles : byGroups;
        boolean stream = (way & 1) == 0;
        if (!ways.deciding()) {
            forward(tl, stream, x, residual, y, batch);
            return;
        }
        long start = System.nanoTime();
        forward(tl, stream, x, residual, y, batch);
        ways.took(way, System.nanoTime() - start);
    }

    private void forward(Tiling tl, boolean stream, float[] x, float[] residual, float[] y, int batch) {
        int blocks = batch * tl.blocksPerSample();
        int groups = groupFirst.length;
        int parts = blocks >= parallel.threads() ? 1 : Math.min(groups, (parallel.threads() + blocks - 1) / blocks);
        parallel.forRange(blocks * parts, task -> {
            int blk = task / parts, part = task % parts;
            run(tl, stream, x, residual, y, blk / tl.blocksPerSample(), blk % tl.blocksPerSample(), groups * part / parts, groups * (part + 1) / parts);
        });
    }

    /** Block {@code blk} of sample n, output groups [q0, q1). */
    private void run(Tiling tl, boolean stream, float[] x, float[] res, float[] y, int n, int blk, int q0, int q1) {
        int rows = tl.rows();
        Scratch s = ScratchPool.take(Scratch.class, Scratch::new).fit(freqs * inBlocks * rows * B, freqs * rows * GROUP);
        try {
            int t0 = blk * tl.block(), count = Math.min(tilesPerSample, t0 + tl.block()) - t0;
            for (int r = 0; r < count; r++) inputTile(tl, x, n, t0 + r, r, s);
            for (int q = q0; q < q1; q++) {
                products(tl, stream, q, count, s);
                for (int r = 0; r < count; r++) outputTile(tl, q, n, t0 + r, r, s, res, y);
            }
        } finally {
            ScratchPool.give(Scratch.class, s);
        }
    }

    /** B^T d B for tile {@code tile} of sample n, every input block, into row r of V. */
    private void inputTile(Tiling tl, float[] x, int n, int tile, int r, Scratch s) {
        int iy0 = tile / tilesX * m - g.padTop(), ix0 = tile % tilesX * m - g.padLeft();
        int inH = g.inH(), inW = g.inW(), plane = inH * inW * B;
        boolean inside = iy0 >= 0 && ix0 >= 0 && iy0 + t <= inH && ix0 + t <= inW;
        // An edge tile's window: zero once, then per block only the pixels inside the input are
        // copied over it, since copying or zeroing every pixel per block was a seventh of a
        // 7x7 layer's time (docs/kernels.md, "Transforms").
        int i0 = Math.max(0, -iy0), i1 = Math.min(t, inH - iy0), j0 = Math.max(0, -ix0), j1 = Math.min(t, inW - ix0);
        float[] win = s.small;
        if (!inside) {
            FloatVector zero = FloatVector.zero(S);
            for (int d = s.window; d < s.window + t * t * B; d += B) zero.intoArray(win, d);
        }
        for (int e = 0; e < inBlocks; e++) {
            int planeOff = (n * inBlocks + e) * plane;
            int vOff = s.v.at + tl.delta()[e] + base[r];
            if (inside) {
                transformInput(tl, x, planeOff + (iy0 * inW + ix0) * B, inW * B, s, s.v.array, vOff);
                continue;
            }
            for (int i = i0; i < i1; i++) {
                int src = planeOff + ((iy0 + i) * inW + ix0) * B, d = s.window + i * t * B;
                for (int j = j0; j < j1; j++) FloatVector.fromArray(S, x, src + j * B).intoArray(win, d + j * B);
            }
            transformInput(tl, win, s.window, t * B, s, s.v.array, vOff);
        }
    }

    /** V[f] at {@code v[f * vFreq + vOff]} = (B^T d B)[f] for the t x t window of 16-channel vectors at {@code d[off]}, rows {@code rowStride} apart. */
    private void transformInput(Tiling tl, float[] d, int off, int rowStride, Scratch s, float[] v, int vOff) {
        int vFreq = inBlocks * tl.rows() * B;
        if (m == 4) WinogradNchwcTransforms.inputF43(d, off, rowStride, s.small, s.tmp, v, vOff, vFreq);
        else WinogradNchwcTransforms.inputF23(d, off, rowStride, s.small, s.tmp, v, vOff, vFreq);
    }

    /** M[f] = V[f] U[f] for group q over the block's first {@code count} rows: per frequency, per chunk of input blocks, the register blocks over the rows. */
    private void products(Tiling tl, boolean stream, int q, int count, Scratch s) {
        int width = groupWidth[q];
        int step = NchwcRegisterBlocks.stepPixels(width);
        int entryFloats = B * width * B;
        int chunk = Math.max(1, CHUNK_BYTES / (4 * entryFloats));
        int vFreq = inBlocks * tl.rows() * B, mFreq = tl.rows() * width * B;
        int[] delta = tl.delta();
        float streamed = 0f;
        for (int f = 0; f < freqs; f++) {
            int wFreq = groupWeights[q] + f * inBlocks * entryFloats;
            for (int e0 = 0; e0 < inBlocks; e0 += chunk) {
                int e1 = Math.min(inBlocks, e0 + chunk);
                int wOff = wFreq + e0 * entryFloats;
                if (stream) streamed += NchwcDirectKernel.stream(w, wOff, (e1 - e0) * entryFloats);
                for (int p = 0; p < count; p += step) {
                    NchwcMicrokernels.step(width, count - p, s.v.array, s.v.at + f * vFreq, base, p, delta, e0, e1, w, wOff,
                            s.mm.array, s.mm.at + f * mFreq + p * width * B, e0 == 0);
                }
            }
        }
        // Keeps the stream reads alive; the window is scratch.
        if (streamed != streamed) s.small[s.window] = streamed;
    }

    /** A^T M A for row r of the block (tile {@code tile} of sample n), every real block of group q, with the epilogue, into the output. */
    private void outputTile(Tiling tl, int q, int n, int tile, int r, Scratch s, float[] res, float[] y) {
        int width = groupWidth[q] * B, mFreq = tl.rows() * width;
        int oy0 = tile / tilesX * m, ox0 = tile % tilesX * m;
        int outH = g.outH(), outW = g.outW();
        int rowsOut = Math.min(m, outH - oy0), colsOut = Math.min(m, outW - ox0);
        float[] bias = epilogue.bias();
        ActivationKind act = epilogue.activation();
        boolean relu = act == ActivationKind.RELU;
        boolean other = !relu && act != ActivationKind.IDENTITY;
        float[] small = s.small, mm = s.mm.array;
        for (int b = 0; b < groupReal[q]; b++) {
            int ob = groupFirst[q] + b;
            int mOff = s.mm.at + r * width + b * B;
            if (m == 4) WinogradNchwcTransforms.outputF43(mm, mOff, mFreq, small, s.tmp, small, s.out);
            else WinogradNchwcTransforms.outputF23(mm, mOff, mFreq, small, s.tmp, small, s.out);
            FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ob * B);
            int planeOff = (n * outBlocks + ob) * outH * outW;
            for (int i = 0; i < rowsOut; i++) {
                int rowOff = (planeOff + (oy0 + i) * outW + ox0) * B;
                for (int j = 0; j < colsOut; j++) {
                    FloatVector acc = FloatVector.fromArray(S, small, s.out + (i * m + j) * B).add(bv);
                    int yOff = rowOff + j * B;
                    if (epilogue.residual()) acc = acc.add(FloatVector.fromArray(S, res, yOff));
                    if (relu) acc = acc.max(0f);
                    acc.intoArray(y, yOff);
                }
                if (other) FastActivation.range(act, epilogue.alpha(), y, rowOff, y, rowOff, colsOut * B);
            }
        }
    }

    @Override
    public boolean settled() {
        return !ways.deciding();
    }

    @Override
    public String decided() {
        int way = ways.chosen();
        if (way < 0) return "timing " + ways.ways() + " ways";
        return (byTiles == null ? "" : (way & 2) == 0 ? "split by groups, " : "split by tiles, ") + ((way & 1) == 0 ? "weights streamed" : "weights not streamed");
    }

    @Override
    public String tiling() {
        int last = groupFirst.length - 1;
        int full = NchwcRegisterBlocks.GROUP_BLOCKS;
        String tail = NchwcRegisterBlocks.lastGroupNote(groupReal[last], groupWidth[last], "tiles");
        String split = (byTiles == null ? "" : String.format("; on a lone sample, groups or %d blocks of %d tiles shared out", byTiles.blocksPerSample(), byTiles.block()))
                + "; weight chunks streamed ahead or not: whichever its first calls time faster";
        return String.format("%s on %s, %d tiles/block (V+M %d KiB), %d block(s)/sample, %d group(s) of %d channel blocks x 6 tiles in registers%s%s",
                tf.label(), Nchwc.NAME, byGroups.block(), 4L * freqs * (g.inC() + GROUP) * byGroups.rows() / 1024, byGroups.blocksPerSample(), groupFirst.length, full, tail, split);
    }
}
