package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.ScratchPool;
import io.cnnc.kernels.cpu.gemm.BPanels;
import io.cnnc.kernels.cpu.gemm.PackedA;
import io.cnnc.kernels.cpu.gemm.PackedB;
import io.cnnc.kernels.cpu.gemm.PackedGemm;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd convolution F(m x m, 3 x 3) (Lavin's algorithm) for one layer, m = 2 or 4.
 *
 * <p>At prepare every filter is transformed, in double, to U = G g G^T, and the t*t frequencies
 * (t = m + 2) are stored as t*t packed [outC x inC] matrices. A forward pass cuts each sample's
 * output into m x m tiles, numbered row-major, and the tiles into blocks of {@link #block}
 * tiles (a multiple of {@link PackedGemm#NR}, chosen so that the block's transformed input V and
 * product M, t*t*(inC + outC) floats per tile, fit in L2). Per block:
 * <ol>
 *   <li>per input channel and tile row, B^T is applied down the input's columns on contiguous
 *   vectors read straight from the input (each column once; masked loads supply the zero
 *   padding), the t results are deinterleaved into vectors of L consecutive tiles with
 *   two-vector shuffles, and B is applied across them; the t*t results go straight to
 *   V[f][c][tile];</li>
 *   <li>one GEMM per frequency: M[f] = U[f] V[f], [outC x tiles], V packed into panels by one
 *   array copy per panel row;</li>
 *   <li>per output channel and L tiles of a tile row, Y = A^T M A, interleaved back into output
 *   rows with shuffles, bias, residual and ReLU added on the vectors (other activations through
 *   {@link Epilogue#apply}), stored with a lane mask at the right edge.</li>
 * </ol>
 * Vectors of L tiles that run past the end of a tile row carry junk in their last lanes: their
 * stores are overwritten by the next row's (V) or masked off (output), and junk GEMM columns
 * never reach the output. Tasks are (sample, block) pairs; when there are fewer than threads,
 * each block is also split into output-channel ranges (every task then transforms the block's
 * input itself, which is cheap next to its GEMMs). Every output element is computed by
 * the same operations in the same order whatever the split, so results do not depend on the
 * thread count. Scratch is shared by the kernels of one shape (see {@link #scratchKey}).
 *
 * <p>When a block has few tiles (they would pad the GEMM's NR columns), the products are taken
 * transposed, M^T = V^T U^T, with U^T packed once as {@link PackedB}: tiles sit on the
 * microkernel's MR rows and output channels on its columns. The input transform then writes
 * V^T straight into packed-A panels, and the output transform runs on vectors of L output
 * channels, transposing each L x L block of (tile column, channel) into output rows. The
 * orientation is chosen at construction by which pads less (see the constructor).
 */
final class WinogradKernel implements ConvKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int H = L / 2;
    private static final int NR = PackedGemm.NR;
    private static final int MR = PackedGemm.MR;

    /** Bytes of V plus M per block we aim to keep in L2 (1 MiB per core on Zen 4/5). */
    static final int BLOCK_BYTES = 768 * 1024;

    // Two-vector shuffles for v1.rearrange(shuffle, v2): lane l takes lane idx[l] of v1 ++ v2.
    /** F23 deinterleave: elements 2l and 2l+1 of 2L consecutive floats. */
    private static final VectorShuffle<Float> DE2_0 = shuffle(l -> 2 * l), DE2_1 = shuffle(l -> 2 * l + 1);
    /** F43 deinterleave, first stage: of 2L floats, elements 4l'+j for j = 0, 1 (A) or 2, 3 (B), l' < H, j-major. */
    private static final VectorShuffle<Float> DE4_A = shuffle(l -> 4 * (l % H) + l / H), DE4_B = shuffle(l -> 4 * (l % H) + 2 + l / H);
    /** F43 deinterleave, second stage: the j = 0 (resp. 1) halves of two first-stage vectors. */
    private static final VectorShuffle<Float> DE4_0 = shuffle(l -> (l < H ? 0 : L) + l % H), DE4_1 = shuffle(l -> (l < H ? 0 : L) + H + l % H);
    /** Shift by one lane, the last lane taking element 0 (NEXT0) or 1 (NEXT1) of the second vector. */
    private static final VectorShuffle<Float> NEXT0 = shuffle(l -> l + 1), NEXT1 = shuffle(l -> l == L - 1 ? L + 1 : l + 1);
    /** F23 interleave: output lane l is column l%2 of tile q*H + l/2. */
    private static final VectorShuffle<Float> IN2_0 = shuffle(l -> l % 2 * L + l / 2), IN2_1 = shuffle(l -> l % 2 * L + H + l / 2);
    /** F43 interleave, first stage: columns 0,1 (or 2,3) of tiles 0..H-1 (A) or H..L-1 (B), pairwise. */
    private static final VectorShuffle<Float> IN4_A = shuffle(l -> l % 2 * L + l / 2), IN4_B = shuffle(l -> l % 2 * L + H + l / 2);
    /** F43 interleave, second stage: output lane l is column l%4 of tile (q*L/4 + l/4), q even (0) or odd (1). */
    private static final VectorShuffle<Float> IN4_0 = shuffle(l -> (l % 4 >= 2 ? L : 0) + 2 * (l / 4) + l % 2),
            IN4_1 = shuffle(l -> (l % 4 >= 2 ? L : 0) + 2 * (L / 4 + l / 4) + l % 2);

    /** Transpose stage st (half-size h = L >> (st+1)): rows i, i+h swap their off-diagonal h-lane blocks. */
    private static final VectorShuffle<Float>[] TR_LO = transposeShuffles(false), TR_HI = transposeShuffles(true);

    private final WinogradTransform tf;
    private final int m, t, freqs;
    private final int inC, inH, inW, outC, outH, outW, padTop, padLeft;
    private final int tilesX, tilesPerSample;
    private final int block, blocksPerSample;
    /** Whether a block shared by several threads is split by tiles rather than by output channels. */
    private final boolean splitTiles;
    /** Per frequency: U [outC x inC] as A (tiles on the GEMM's columns), or null when transposed. */
    private final PackedA[] u;
    /** Per frequency: U^T [inC x outC] as B (tiles on the GEMM's rows), or null when not transposed. */
    private final PackedB[] ut;
    /** Whether the products are M^T = V^T U^T: tiles on the microkernel's MR rows, output channels on its NR columns. */
    private final boolean transposed;
    private final Epilogue epilogue;
    private final boolean fusedEpilogue;
    private final Parallel parallel;

    /**
     * Row length of the column-transformed input rows; floats per frequency of V (inC rows of a
     * block, plus one vector of slack for the last row's junk lanes).
     */
    private final int wStride, vFreq;
    /** Transposed: floats per frequency of V^T (whole panels of MR tiles, plus slack for masked stores' unused lanes). */
    private final int vtFreq;

    /**
     * Everything a Scratch's sizes and methods read from its kernel: kernels of one shape share
     * scratch through {@link ScratchPool}: ResNet repeats each layer shape 2-4 times, and the
     * next layer then finds V and M (up to 768 KiB a task) still in cache.
     */
    private final List<Object> scratchKey;

    WinogradKernel(WinogradTransform tf, ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        this(tf, g, weight, epilogue, parallel, null, BLOCK_BYTES);
    }

    /** {@code transposed}: force one orientation of the products (tests, benchmarks); null picks the one with less padding. */
    WinogradKernel(WinogradTransform tf, ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel, Boolean transposed) {
        this(tf, g, weight, epilogue, parallel, transposed, BLOCK_BYTES);
    }

    /** {@code blockBytes}: the budget for V and M of one block (benchmarks). */
    WinogradKernel(WinogradTransform tf, ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel, Boolean transposed, int blockBytes) {
        if (tf != WinogradTransform.F23 && tf != WinogradTransform.F43) {
            throw new IllegalArgumentException("vectorized transforms exist for F(2x2,3x3) and F(4x4,3x3) only, not " + tf.label());
        }
        if (L < 8) throw new IllegalStateException("Winograd kernels need vectors of at least 8 floats, have " + L);
        this.tf = tf;
        this.m = tf.m();
        this.t = tf.t();
        this.freqs = tf.frequencies();
        this.inC = g.inC();
        this.inH = g.inH();
        this.inW = g.inW();
        this.outC = g.outC();
        this.outH = g.outH();
        this.outW = g.outW();
        this.padTop = g.padTop();
        this.padLeft = g.padLeft();
        this.epilogue = epilogue;
        this.fusedEpilogue = epilogue.activation() == ActivationKind.IDENTITY || epilogue.activation() == ActivationKind.RELU;
        this.parallel = parallel;
        int tilesY = (outH + m - 1) / m;
        this.tilesX = (outW + m - 1) / m;
        this.tilesPerSample = tilesX * tilesY;
        long bytesPerTile = 4L * freqs * (inC + outC);
        long weightBytes = 4L * freqs * inC * outC;
        // Every block streams all the transformed weights. On one thread, when they dwarf the
        // sample's V and M, one block that spills L2 a little beats two that read them twice
        // (docs/kernels.md, "One thread, big weights"); on two threads the two blocks go to the
        // two cores, as one block split by channels ran slower.
        long wholeSample = bytesPerTile * tilesPerSample;
        if (parallel.threads() == 1 && weightBytes >= 4 * wholeSample && wholeSample <= 2L * blockBytes) blockBytes = (int) wholeSample;
        int fit = (int) Math.min(Integer.MAX_VALUE / 2, blockBytes / bytesPerTile);
        int blockN = Math.min(Math.max(NR, fit / NR * NR), roundUp(tilesPerSample, NR));
        int blockT = Math.min(Math.max(MR, fit / MR * MR), roundUp(tilesPerSample, MR));
        // GEMM work including padding: tiles on columns pad each block to NR, on rows to MR. Tiles
        // on rows run slower per useful multiply (measured: 64->64 @56 and 128->128 @28 with F43
        // pad 12% less but take 25% longer), so they must save at least a quarter of the work:
        // 256->256 @14 with F43 (16 tiles, half of NR) and 512->512 @7 (16 or 4 tiles) do.
        long costN = paddedWork(tilesPerSample, blockN, NR) * roundUp(outC, MR);
        long costT = paddedWork(tilesPerSample, blockT, MR) * roundUp(outC, NR);
        this.transposed = transposed != null ? transposed : 4 * costT <= 3 * costN;
        this.block = this.transposed ? blockT : blockN;
        this.blocksPerSample = (tilesPerSample + block - 1) / block;
        // With fewer blocks than threads, the parts of a block either split its output channels
        // (each transforming the block's whole input) or its tiles (each reading all the
        // weights): whichever duplicates less. ResNet-20's 16-channel layers at 32x32 (weights
        // 37 KB, the sample's V and M 295 KB) did not speed up at all on 2 threads split by channels.
        this.splitTiles = weightBytes <= wholeSample;

        float[] uf = new float[freqs * outC * inC];
        for (int oc = 0; oc < outC; oc++) {
            for (int ic = 0; ic < inC; ic++) tf.transformFilter(weight, (oc * inC + ic) * 9, uf, oc * inC + ic, outC * inC);
        }
        if (this.transposed) {
            this.u = null;
            this.ut = new PackedB[freqs];
            float[] uT = new float[inC * outC];
            for (int f = 0; f < freqs; f++) {
                for (int oc = 0; oc < outC; oc++) {
                    for (int ic = 0; ic < inC; ic++) uT[ic * outC + oc] = uf[f * outC * inC + oc * inC + ic];
                }
                ut[f] = PackedB.of(uT, 0, inC, outC, outC);
            }
        } else {
            this.ut = null;
            this.u = new PackedA[freqs];
            for (int f = 0; f < freqs; f++) u[f] = PackedA.of(uf, f * outC * inC, outC, inC, inC);
        }

        // A deinterleave of L tiles starting at column c reads [c, c + (m+1)*L + 2).
        this.wStride = tilesX * m + (m + 1) * L + t;
        this.vFreq = inC * block + L;
        this.vtFreq = roundUp(block, MR) * inC + 2 * L;
        this.scratchKey = List.of("winograd", tf.label(), inC, outC, inH, inW, outH, outW, padTop, padLeft, block, this.transposed);
    }

    @Override
    public String tiling() {
        return String.format("%s, %d tiles/block (V+M %d KiB), %d block(s)/sample, tiles on GEMM %s", tf.label(), block,
                4L * freqs * (inC + outC) * block / 1024, blocksPerSample, transposed ? "rows (M^T = V^T U^T)" : "columns");
    }

    @Override
    public void forward(float[] x, float[] residual, float[] y, int batch) {
        int blocks = batch * blocksPerSample;
        int threads = parallel.threads();
        if (blocks < threads) {
            int parts = (threads + blocks - 1) / blocks;
            if (splitTiles) {
                // Split by tiles: each part transforms only its own tiles and reads all the weights.
                int step = transposed ? MR : NR;
                int tileParts = Math.max(1, Math.min(parts, (block + step - 1) / step));
                parallel.forRange(blocks * tileParts, task -> runTiles(x, residual, y, task / tileParts, task % tileParts, tileParts, step));
                return;
            }
            int chunks = Math.min(ocPanels(), parts);
            parallel.forRange(blocks * chunks, task -> run(x, residual, y, task / chunks, task % chunks, chunks));
            return;
        }
        // Blocks that do not share out evenly (the last one often short: 64->64 @56 with F43 is
        // 6 blocks of 32 tiles and one of 4, whose GEMM still costs a full panel) are split by
        // output channels, each part transforming the block's input itself, and claimed last:
        // on 2 threads 3.5 blocks each instead of 4 and 3.
        int whole = threads == 1 ? blocks : blocks - blocks % threads;
        int chunks = Math.min(ocPanels(), threads);
        parallel.forRange(whole + (blocks - whole) * chunks, task -> {
            if (task < whole) run(x, residual, y, task, 0, 1);
            else run(x, residual, y, whole + (task - whole) / chunks, (task - whole) % chunks, chunks);
        });
    }

    /** Part {@code part} of {@code parts} of a block's tiles (in whole steps of the GEMM's panel), all output channels. */
    private void runTiles(float[] x, float[] residual, float[] y, int blockTask, int part, int parts, int step) {
        int n = blockTask / blocksPerSample;
        int t0 = blockTask % blocksPerSample * block;
        int t1 = Math.min(tilesPerSample, t0 + block);
        int steps = (t1 - t0 + step - 1) / step;
        int a = t0 + steps * part / parts * step;
        int b = Math.min(t1, t0 + steps * (part + 1) / parts * step);
        if (a < b) run(x, residual, y, n, a, b, 0, 1);
    }

    private void run(float[] x, float[] residual, float[] y, int blockTask, int chunk, int chunks) {
        int n = blockTask / blocksPerSample;
        int t0 = blockTask % blocksPerSample * block;
        run(x, residual, y, n, t0, Math.min(tilesPerSample, t0 + block), chunk, chunks);
    }

    /** Tiles [t0, t1) of sample n (within one block), output channel chunk {@code chunk} of {@code chunks}. */
    private void run(float[] x, float[] residual, float[] y, int n, int t0, int t1, int chunk, int chunks) {
        int ocStep = transposed ? NR : MR;
        int oc0 = ocPanels() * chunk / chunks * ocStep;
        int oc1 = Math.min(outC, ocPanels() * (chunk + 1) / chunks * ocStep);
        if (oc0 >= oc1) return;
        // Per thread (a buffer the other core wrote last would have to come over from its L2).
        Scratch s = ScratchPool.take(scratchKey, Scratch::new);
        try {
            int tyFirst = t0 / tilesX;
            int tyLast = (t1 - 1) / tilesX;
            for (int c = 0; c < inC; c++) {
                for (int ty = tyFirst; ty <= tyLast; ty++) {
                    int txa = Math.max(0, t0 - ty * tilesX);
                    int txb = Math.min(tilesX, t1 - ty * tilesX);
                    inputRow(s, x, (n * inC + c) * inH * inW, ty * m - padTop, c, txa, txb, ty * tilesX + txa - t0);
                }
            }
            if (transposed) {
                for (int f = 0; f < freqs; f++) PackedGemm.multiply(s.vt[f], 0, t1 - t0, ut[f], oc0, oc1, s.mm, f * outC, freqs * outC, false);
                for (int ty = tyFirst; ty <= tyLast; ty++) {
                    int txa = Math.max(0, t0 - ty * tilesX);
                    int txb = Math.min(tilesX, t1 - ty * tilesX);
                    outputRowT(s, y, residual, n, oc0, oc1, ty, txa, txb, ty * tilesX + txa - t0);
                }
                return;
            }
            for (int f = 0; f < freqs; f++) {
                s.freqBase = f * vFreq;
                PackedGemm.multiply(u[f], oc0, oc1, s, 0, t1 - t0, s.mm, f * block, freqs * block, false);
            }
            for (int oc = oc0; oc < oc1; oc++) {
                int yPlane = (n * outC + oc) * outH * outW;
                for (int ty = tyFirst; ty <= tyLast; ty++) {
                    int txa = Math.max(0, t0 - ty * tilesX);
                    int txb = Math.min(tilesX, t1 - ty * tilesX);
                    outputRow(s, y, residual, yPlane, oc, ty, txa, txb, ty * tilesX + txa - t0);
                }
            }
        } finally {
            ScratchPool.give(scratchKey, s);
        }
    }

    /**
     * Input transform of tiles [txa, txb) of one tile row of channel c (plane at {@code x[xPlane]},
     * window rows from iy0) into V columns from {@code col}: B^T down the input's columns, L
     * columns at a time (zeros outside the input through masked loads), then per L tiles a
     * deinterleave and B across.
     */
    private void inputRow(Scratch s, float[] x, int xPlane, int iy0, int c, int txa, int txb, int col) {
        int end = txb * m + t - m;
        boolean rowsInside = iy0 >= 0 && iy0 + t <= inH;
        for (int p = txa * m; p < end; p += L) {
            int ix0 = p - padLeft;
            if (rowsInside && ix0 >= 0 && ix0 + L <= inW) {
                bt(x, xPlane + iy0 * inW + ix0, inW, s.w, p, wStride);
            } else {
                window(x, xPlane, iy0, ix0, s.e);
                bt(s.e, 0, L, s.w, p, wStride);
            }
        }
        if (transposed) {
            rowPassT(s, c, txa, txb, col);
            return;
        }
        for (int k1 = 0; k1 < t; k1++) {
            for (int tx = txa; tx < txb; tx += L) {
                deinterleaveBt(s.w, k1 * wStride + tx * m, s.v, k1 * t * vFreq + c * block + col + tx - txa, vFreq);
            }
        }
    }

    /** The second half of {@link #inputRow} when transposed: deinterleave, B across, into V^T panels. */
    private void rowPassT(Scratch s, int c, int txa, int txb, int col) {
        for (int k1 = 0; k1 < t; k1++) {
            for (int tx = txa; tx < txb; tx += L) {
                int r0 = col + tx - txa;
                int count = Math.min(L, txb - tx);
                if (count <= MR - r0 % MR && c + (r0 % MR + L - 1) / MR < inC) {
                    // One plain store per frequency: its other lanes land on later tiles of channel c
                    // or on later channels of the same panel (how many depends on L / MR: two with
                    // 16 lanes and 8-tile panels, three with 5-tile ones), all stored later (channels
                    // are transformed in order, a channel's tile rows in order), or on the last
                    // panel's padding rows, whose products are never read.
                    deinterleaveBt(s.w, k1 * wStride + tx * m, s.vtData, k1 * t * vtFreq + r0 / MR * inC * MR + c * MR + r0 % MR, vtFreq);
                    continue;
                }
                deinterleaveBt(s.w, k1 * wStride + tx * m, s.e2, 0, L);
                for (int k2 = 0; k2 < t; k2++) storeTiles(s.e2, k2 * L, s.vtData, (k1 * t + k2) * vtFreq, c, r0, count);
            }
        }
    }

    /**
     * Lanes [0, count) of the vector at {@code src[srcOff]}, tiles r0.. of channel c, into V^T
     * packed as A from {@code d[dOff]} ({@link PackedA}: panels of MR tiles, each inC channels of
     * MR floats), one masked store per panel touched.
     */
    private void storeTiles(float[] src, int srcOff, float[] d, int dOff, int c, int r0, int count) {
        FloatVector v = FloatVector.fromArray(S, src, srcOff);
        for (int lane = 0; lane < count; ) {
            int r = r0 + lane;
            int inPanel = Math.min(count - lane, MR - r % MR);
            long bits = ((1L << inPanel) - 1) << lane;
            v.intoArray(d, dOff + r / MR * inC * MR + c * MR + r % MR - lane, VectorMask.fromLong(S, bits));
            lane += inPanel;
        }
    }

    /**
     * Transposed output: M^T at {@code mm[tile*freqs*outC + f*outC + oc]}. Per group of L/m tiles
     * of tile row ty and L output channels, A^T M A on vectors of channels; per output row the
     * L x L block (tile column x channel) is transposed so each channel's vector is L consecutive
     * output columns, then epilogue and store as in {@link #outputRow}.
     */
    private void outputRowT(Scratch s, float[] y, float[] residual, int n, int oc0, int oc1, int ty, int txa, int txb, int col) {
        int rows = Math.min(m, outH - ty * m);
        int g = L / m;
        int ld = freqs * outC;
        float[] bias = fusedEpilogue ? epilogue.bias() : null;
        boolean relu = epilogue.activation() == ActivationKind.RELU;
        float[] res = fusedEpilogue && epilogue.residual() ? residual : null;
        for (int tx0 = txa; tx0 < txb; tx0 += g) {
            int txEnd = Math.min(txb, tx0 + g);
            int c0 = tx0 * m;
            int c1 = Math.min(outW, txEnd * m);
            VectorMask<Float> in = S.indexInRange(c0, c1);
            boolean full = c0 + L <= c1;
            for (int oc = oc0; oc < oc1; oc += L) {
                int nOc = Math.min(L, oc1 - oc);
                for (int tx = tx0; tx < txEnd; tx++) {
                    int mb = (col + tx - txa) * ld + oc;
                    for (int i = 0; i < t; i++) at(s.mm, mb + i * t * outC, outC, s.tmp, i * m * L, L);
                    for (int j = 0; j < m; j++) at(s.tmp, j * L, m * L, s.tb, ((tx - tx0) * m + j) * L, L * L);
                }
                for (int r = 0; r < rows; r++) {
                    transpose(s.tb, r * L * L);
                    int rowOff = (ty * m + r) * outW + c0;
                    for (int q = 0; q < nOc; q++) {
                        int dst = (n * outC + oc + q) * outH * outW + rowOff;
                        FloatVector v = FloatVector.fromArray(S, s.tb, (r * L + q) * L);
                        if (fusedEpilogue) {
                            if (bias != null) v = v.add(bias[oc + q]);
                            if (res != null) v = v.add(full ? FloatVector.fromArray(S, res, dst) : FloatVector.fromArray(S, res, dst, in));
                            if (relu) v = v.max(0f);
                        }
                        if (full) v.intoArray(y, dst);
                        else v.intoArray(y, dst, in);
                    }
                }
            }
        }
        if (!fusedEpilogue) {
            int x0 = txa * m;
            int x1 = Math.min(outW, txb * m);
            for (int oc = oc0; oc < oc1; oc++) {
                int yPlane = (n * outC + oc) * outH * outW;
                for (int r = 0; r < rows; r++) epilogue.apply(y, yPlane + (ty * m + r) * outW + x0, x1 - x0, oc, residual);
            }
        }
    }

    /** Transposes the L x L block of floats at {@code b[off]} in place: log2(L) stages of two-vector shuffles. */
    private static void transpose(float[] b, int off) {
        for (int st = 0; st < TR_LO.length; st++) {
            int h = L >> (st + 1);
            VectorShuffle<Float> lo = TR_LO[st], hi = TR_HI[st];
            for (int i = 0; i < L; i++) {
                if ((i & h) != 0) continue;
                FloatVector a = FloatVector.fromArray(S, b, off + i * L);
                FloatVector c = FloatVector.fromArray(S, b, off + (i + h) * L);
                a.rearrange(lo, c).intoArray(b, off + i * L);
                a.rearrange(hi, c).intoArray(b, off + (i + h) * L);
            }
        }
    }

    /** buf[i*L + l] = input row iy0 + i, column ix0 + l of one plane, zero outside the input. */
    private void window(float[] x, int xPlane, int iy0, int ix0, float[] buf) {
        VectorMask<Float> inside = S.indexInRange(ix0, inW);
        for (int i = 0; i < t; i++) {
            int iy = iy0 + i;
            FloatVector v = iy < 0 || iy >= inH ? FloatVector.zero(S) : FloatVector.fromArray(S, x, xPlane + iy * inW + ix0, inside);
            v.intoArray(buf, i * L);
        }
    }

    /** B applied across L consecutive tiles of a column-transformed row: deinterleave then B^T, results to {@code d[dOff + k*dStride]}. */
    private void deinterleaveBt(float[] w, int src, float[] d, int dOff, int dStride) {
        if (m == 4) deinterleaveBt6(w, src, d, dOff, dStride);
        else deinterleaveBt4(w, src, d, dOff, dStride);
    }

    /** Deinterleave: column j of L consecutive F(4x4) tiles is w[src + 4l + j], j < 6; then {@link #bt6} on the six columns, kept in registers. */
    private static void deinterleaveBt6(float[] w, int src, float[] d, int dOff, int dStride) {
        FloatVector r0 = FloatVector.fromArray(S, w, src);
        FloatVector r1 = FloatVector.fromArray(S, w, src + L);
        FloatVector r2 = FloatVector.fromArray(S, w, src + 2 * L);
        FloatVector r3 = FloatVector.fromArray(S, w, src + 3 * L);
        FloatVector next = FloatVector.fromArray(S, w, src + 4 * L);
        FloatVector a01 = r0.rearrange(DE4_A, r1), b01 = r0.rearrange(DE4_B, r1);
        FloatVector a23 = r2.rearrange(DE4_A, r3), b23 = r2.rearrange(DE4_B, r3);
        FloatVector d0 = a01.rearrange(DE4_0, a23), d1 = a01.rearrange(DE4_1, a23);
        FloatVector d2 = b01.rearrange(DE4_0, b23), d3 = b01.rearrange(DE4_1, b23);
        FloatVector d4 = d0.rearrange(NEXT0, next), d5 = d1.rearrange(NEXT1, next);
        FloatVector four = FloatVector.broadcast(S, 4f), minusFive = FloatVector.broadcast(S, -5f);
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector s12 = d1.add(d2), s34 = d3.add(d4);
        FloatVector d12 = d1.sub(d2), d43 = d4.sub(d3);
        FloatVector d42 = d4.sub(d2), d31 = d3.sub(d1);
        d0.fma(four, d2.fma(minusFive, d4)).intoArray(d, dOff);
        s12.fma(four.neg(), s34).intoArray(d, dOff + dStride);
        d12.fma(four, d43).intoArray(d, dOff + 2 * dStride);
        d31.fma(two, d42).intoArray(d, dOff + 3 * dStride);
        d31.fma(two.neg(), d42).intoArray(d, dOff + 4 * dStride);
        d1.fma(four, d3.fma(minusFive, d5)).intoArray(d, dOff + 5 * dStride);
    }

    /** Deinterleave: column j of L consecutive F(2x2) tiles is w[src + 2l + j], j < 4; then {@link #bt4} on the four columns, kept in registers. */
    private static void deinterleaveBt4(float[] w, int src, float[] d, int dOff, int dStride) {
        FloatVector r0 = FloatVector.fromArray(S, w, src);
        FloatVector r1 = FloatVector.fromArray(S, w, src + L);
        FloatVector next = FloatVector.fromArray(S, w, src + 2 * L);
        FloatVector d0 = r0.rearrange(DE2_0, r1), d1 = r0.rearrange(DE2_1, r1);
        FloatVector d2 = d0.rearrange(NEXT0, next), d3 = d1.rearrange(NEXT1, next);
        d0.sub(d2).intoArray(d, dOff);
        d1.add(d2).intoArray(d, dOff + dStride);
        d2.sub(d1).intoArray(d, dOff + 2 * dStride);
        d1.sub(d3).intoArray(d, dOff + 3 * dStride);
    }

    /**
     * Output transform, epilogue and store of tiles [txa, txb) of tile row ty of channel oc,
     * whose M columns start at {@code col}, L tiles at a time.
     */
    private void outputRow(Scratch s, float[] y, float[] residual, int yPlane, int oc, int ty, int txa, int txb, int col) {
        int x0 = txa * m;
        int x1 = Math.min(outW, txb * m);
        int rows = Math.min(m, outH - ty * m);
        float b = fusedEpilogue && epilogue.bias() != null ? epilogue.bias()[oc] : 0f;
        boolean relu = epilogue.activation() == ActivationKind.RELU;
        float[] res = fusedEpilogue && epilogue.residual() ? residual : null;
        for (int tx = txa; tx < txb; tx += L) {
            int mb = oc * freqs * block + col + tx - txa;
            for (int i = 0; i < t; i++) at(s.mm, mb + i * t * block, block, s.tmp, i * m * L, L);
            for (int r2 = 0; r2 < m; r2++) at(s.tmp, r2 * L, m * L, s.tmp2, r2 * L, m * L);
            for (int r = 0; r < rows; r++) {
                if (m == 4) interleave4(s.tmp2, r * m * L, s.line);
                else interleave2(s.tmp2, r * m * L, s.line);
                int row = yPlane + (ty * m + r) * outW;
                for (int q = 0; q < m; q++) {
                    int c = tx * m + q * L;
                    if (c >= x1) break;
                    FloatVector v = FloatVector.fromArray(S, s.line, q * L);
                    if (!fusedEpilogue) {
                        if (c + L <= x1) v.intoArray(y, row + c);
                        else v.intoArray(y, row + c, S.indexInRange(c, x1));
                        continue;
                    }
                    v = v.add(b);
                    if (c + L <= x1) {
                        if (res != null) v = v.add(FloatVector.fromArray(S, res, row + c));
                        if (relu) v = v.max(0f);
                        v.intoArray(y, row + c);
                    } else {
                        VectorMask<Float> in = S.indexInRange(c, x1);
                        if (res != null) v = v.add(FloatVector.fromArray(S, res, row + c, in));
                        if (relu) v = v.max(0f);
                        v.intoArray(y, row + c, in);
                    }
                }
            }
        }
        if (!fusedEpilogue) {
            for (int r = 0; r < rows; r++) epilogue.apply(y, yPlane + (ty * m + r) * outW + x0, x1 - x0, oc, residual);
        }
    }

    /** line[q*L + l] = tmp2[src + (l%4)*L + q*L/4 + l/4], q < 4: one output row of L F(4x4) tiles. */
    private static void interleave4(float[] tmp2, int src, float[] line) {
        FloatVector o0 = FloatVector.fromArray(S, tmp2, src);
        FloatVector o1 = FloatVector.fromArray(S, tmp2, src + L);
        FloatVector o2 = FloatVector.fromArray(S, tmp2, src + 2 * L);
        FloatVector o3 = FloatVector.fromArray(S, tmp2, src + 3 * L);
        FloatVector pa = o0.rearrange(IN4_A, o1), pb = o0.rearrange(IN4_B, o1);
        FloatVector qa = o2.rearrange(IN4_A, o3), qb = o2.rearrange(IN4_B, o3);
        pa.rearrange(IN4_0, qa).intoArray(line, 0);
        pa.rearrange(IN4_1, qa).intoArray(line, L);
        pb.rearrange(IN4_0, qb).intoArray(line, 2 * L);
        pb.rearrange(IN4_1, qb).intoArray(line, 3 * L);
    }

    /** line[q*L + l] = tmp2[src + (l%2)*L + q*L/2 + l/2], q < 2: one output row of L F(2x2) tiles. */
    private static void interleave2(float[] tmp2, int src, float[] line) {
        FloatVector o0 = FloatVector.fromArray(S, tmp2, src);
        FloatVector o1 = FloatVector.fromArray(S, tmp2, src + L);
        o0.rearrange(IN2_0, o1).intoArray(line, 0);
        o0.rearrange(IN2_1, o1).intoArray(line, L);
    }

    /** B^T applied to the t vectors {@code a[off + i*stride]}, results to {@code d[dOff + k*dStride]}. */
    private void bt(float[] a, int off, int stride, float[] d, int dOff, int dStride) {
        if (m == 4) bt6(a, off, stride, d, dOff, dStride);
        else bt4(a, off, stride, d, dOff, dStride);
    }

    /** A^T applied to the t vectors {@code a[off + i*stride]}, m results to {@code d[dOff + k*dStride]}. */
    private void at(float[] a, int off, int stride, float[] d, int dOff, int dStride) {
        if (m == 4) at6(a, off, stride, d, dOff, dStride);
        else at4(a, off, stride, d, dOff, dStride);
    }

    /** F(4x4,3x3) B^T, 14 operations instead of the 22 non-zero entries. */
    private static void bt6(float[] a, int off, int stride, float[] d, int dOff, int dStride) {
        FloatVector d0 = FloatVector.fromArray(S, a, off);
        FloatVector d1 = FloatVector.fromArray(S, a, off + stride);
        FloatVector d2 = FloatVector.fromArray(S, a, off + 2 * stride);
        FloatVector d3 = FloatVector.fromArray(S, a, off + 3 * stride);
        FloatVector d4 = FloatVector.fromArray(S, a, off + 4 * stride);
        FloatVector d5 = FloatVector.fromArray(S, a, off + 5 * stride);
        FloatVector four = FloatVector.broadcast(S, 4f), minusFive = FloatVector.broadcast(S, -5f);
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector s12 = d1.add(d2), s34 = d3.add(d4);
        FloatVector d12 = d1.sub(d2), d43 = d4.sub(d3);
        FloatVector d42 = d4.sub(d2), d31 = d3.sub(d1);
        d0.fma(four, d2.fma(minusFive, d4)).intoArray(d, dOff);
        s12.fma(four.neg(), s34).intoArray(d, dOff + dStride);
        d12.fma(four, d43).intoArray(d, dOff + 2 * dStride);
        d31.fma(two, d42).intoArray(d, dOff + 3 * dStride);
        d31.fma(two.neg(), d42).intoArray(d, dOff + 4 * dStride);
        d1.fma(four, d3.fma(minusFive, d5)).intoArray(d, dOff + 5 * dStride);
    }

    /** F(2x2,3x3) B^T. */
    private static void bt4(float[] a, int off, int stride, float[] d, int dOff, int dStride) {
        FloatVector d0 = FloatVector.fromArray(S, a, off);
        FloatVector d1 = FloatVector.fromArray(S, a, off + stride);
        FloatVector d2 = FloatVector.fromArray(S, a, off + 2 * stride);
        FloatVector d3 = FloatVector.fromArray(S, a, off + 3 * stride);
        d0.sub(d2).intoArray(d, dOff);
        d1.add(d2).intoArray(d, dOff + dStride);
        d2.sub(d1).intoArray(d, dOff + 2 * dStride);
        d1.sub(d3).intoArray(d, dOff + 3 * dStride);
    }

    /** F(4x4,3x3) A^T. */
    private static void at6(float[] a, int off, int stride, float[] d, int dOff, int dStride) {
        FloatVector m0 = FloatVector.fromArray(S, a, off);
        FloatVector m1 = FloatVector.fromArray(S, a, off + stride);
        FloatVector m2 = FloatVector.fromArray(S, a, off + 2 * stride);
        FloatVector m3 = FloatVector.fromArray(S, a, off + 3 * stride);
        FloatVector m4 = FloatVector.fromArray(S, a, off + 4 * stride);
        FloatVector m5 = FloatVector.fromArray(S, a, off + 5 * stride);
        FloatVector s12 = m1.add(m2), d12 = m1.sub(m2);
        FloatVector s34 = m3.add(m4), d34 = m3.sub(m4);
        m0.add(s12).add(s34).intoArray(d, dOff);
        d34.fma(FloatVector.broadcast(S, 2f), d12).intoArray(d, dOff + dStride);
        s34.fma(FloatVector.broadcast(S, 4f), s12).intoArray(d, dOff + 2 * dStride);
        d34.fma(FloatVector.broadcast(S, 8f), d12).add(m5).intoArray(d, dOff + 3 * dStride);
    }

    /** F(2x2,3x3) A^T. */
    private static void at4(float[] a, int off, int stride, float[] d, int dOff, int dStride) {
        FloatVector m0 = FloatVector.fromArray(S, a, off);
        FloatVector m1 = FloatVector.fromArray(S, a, off + stride);
        FloatVector m2 = FloatVector.fromArray(S, a, off + 2 * stride);
        FloatVector m3 = FloatVector.fromArray(S, a, off + 3 * stride);
        m0.add(m1).add(m2).intoArray(d, dOff);
        m1.sub(m2).sub(m3).intoArray(d, dOff + dStride);
    }

    /** Panels of output channels that tasks split: MR rows of U, or NR columns of U^T. */
    private int ocPanels() {
        return transposed ? (outC + NR - 1) / NR : (outC + MR - 1) / MR;
    }

    /** Sum over a sample's blocks of their tile counts rounded up to {@code align}. */
    private static long paddedWork(int tiles, int block, int align) {
        long work = 0;
        for (int t0 = 0; t0 < tiles; t0 += block) work += roundUp(Math.min(block, tiles - t0), align);
        return work;
    }


    private static int roundUp(int v, int to) {
        return (v + to - 1) / to * to;
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] transposeShuffles(boolean hi) {
        int stages = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] r = new VectorShuffle[stages];
        for (int st = 0; st < stages; st++) {
            int h = L >> (st + 1);
            r[st] = hi ? shuffle(c -> (c & h) == 0 ? c + h : L + c) : shuffle(c -> (c & h) == 0 ? c : L + c - h);
        }
        return r;
    }

    /** A two-vector shuffle: lane l takes lane {@code lane(l)} of v1 ++ v2 (indices >= L, from v2, are stored as exceptional, index - 2L). */
    private static VectorShuffle<Float> shuffle(java.util.function.IntUnaryOperator lane) {
        int[] idx = new int[L];
        for (int l = 0; l < L; l++) {
            int i = lane.applyAsInt(l);
            idx[l] = i < L ? i : i - 2 * L;
        }
        return VectorShuffle.fromArray(S, idx, 0);
    }

    /** One task's buffers; also the B operand of the per-frequency GEMMs (V[f], row-major [inC][block]). */
    private final class Scratch implements BPanels {
        final float[] w = new float[t * wStride];
        final float[] e = new float[t * L];
        final float[] e2 = transposed ? new float[t * L] : null;
        final float[] v = transposed ? null : new float[freqs * vFreq];
        /** Transposed: V^T per frequency f, packed as A [tiles x inC] from {@code vtData[f * vtFreq]}. */
        final float[] vtData = transposed ? new float[freqs * vtFreq] : null;
        final PackedA[] vt = transposed ? new PackedA[freqs] : null;
        final float[] tb = transposed ? new float[m * L * L] : null;
        final float[] mm = new float[outC * freqs * block + L];
        {
            for (int f = 0; transposed && f < freqs; f++) vt[f] = new PackedA(vtData, f * vtFreq, block, inC);
        }
        final float[] tmp = new float[t * m * L];
        final float[] tmp2 = new float[m * m * L];
        final float[] line = new float[m * L];
        int freqBase;

        @Override
        public int k() {
            return inC;
        }

        @Override
        public int n() {
            return block;
        }

        @Override
        public void pack(int p0, int kc, int j0, int nc, float[] dst, int dstOff) {
            for (int q = 0; q * NR < nc; q++) {
                int src = freqBase + p0 * block + j0 + q * NR;
                int d = dstOff + q * kc * NR;
                for (int p = 0; p < kc; p++, src += block, d += NR) System.arraycopy(v, src, dst, d, NR);
            }
        }
    }
}
