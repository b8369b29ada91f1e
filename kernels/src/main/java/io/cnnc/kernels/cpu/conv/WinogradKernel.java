package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.gemm.BPanels;
import io.cnnc.kernels.cpu.gemm.PackedA;
import io.cnnc.kernels.cpu.gemm.PackedGemm;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd convolution F(m x m, 3 x 3) (Lavin's algorithm) for one layer.
 *
 * <p>At prepare every filter is transformed, in double, to U = G g G^T, and the t*t frequencies
 * are stored as t*t packed [outC x inC] matrices. A forward pass cuts each sample's output into
 * m x m tiles, numbered row-major, and the tiles into blocks of {@link #block} tiles (a multiple
 * of {@link PackedGemm#NR}, chosen so that the block's transformed input V and product M,
 * t*t*(inC + outC) floats per tile, fit in L2). Per block:
 * <ol>
 *   <li>each input channel is copied with its zero padding into a small plane, its t x t tile
 *   windows are gathered into [t*t][tiles] rows with vector deinterleaves (tile-row segments of
 *   the block go to consecutive columns), and V = B^T d B is computed on vectors of tiles and
 *   stored straight into the panel layout that {@link PackedGemm} reads (so packing B is one
 *   array copy per panel);</li>
 *   <li>one GEMM per frequency: M[f] = U[f] V[f], [outC x tiles];</li>
 *   <li>per output channel, Y = A^T M A on vectors of tiles, interleaved back into output rows
 *   with vector shuffles, stored with a lane mask at the right edge, and the epilogue applied
 *   to each finished row.</li>
 * </ol>
 * Tasks are (sample, block) pairs; when there are fewer than two per thread, each block is also
 * split into output-channel ranges (every task then transforms the block's input itself, which
 * is cheap next to its GEMMs). Every output element is computed by the same operations in the
 * same order whatever the split, so results do not depend on the thread count. Scratch is
 * allocated once per thread and reused.
 */
final class WinogradKernel implements ConvKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int NR = PackedGemm.NR;
    private static final int MR = PackedGemm.MR;

    /** Bytes of V plus M per block we aim to keep in L2 (1 MiB per core on Zen 4/5). */
    static final int BLOCK_BYTES = 768 * 1024;

    private final WinogradTransform tf;
    private final int m, t, freqs;
    private final int inC, inH, inW, outC, outH, outW, padTop, padLeft;
    private final int tilesX, tilesPerSample;
    private final int block, blocksPerSample;
    private final PackedA[] u;
    private final Epilogue epilogue;
    private final Parallel parallel;

    private final int[] btStart, btCol, atStart, atCol;
    private final float[] btVal, atVal;
    /** Deinterleave: lane l of column jj takes element l*m + jj of two (or four) loaded vectors. */
    private final float[] deIdx;
    /** Interleave: lane l of output vector q takes tile q*L/m + l/m of column l%m. */
    private final float[] inIdx;
    private final boolean[] upperHalf, upperPair;

    private final int planeW, planeRows, dStride, oStride;

    private Scratch[] slots;
    private boolean[] busy;

    WinogradKernel(WinogradTransform tf, ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        if (L < 4 || L % 4 != 0) throw new IllegalStateException("Winograd kernels need vectors of 4k floats, have " + L);
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
        this.parallel = parallel;
        int tilesY = (outH + m - 1) / m;
        this.tilesX = (outW + m - 1) / m;
        this.tilesPerSample = tilesX * tilesY;
        long bytesPerTile = 4L * freqs * (inC + outC);
        int b = (int) Math.min(Integer.MAX_VALUE / 2, BLOCK_BYTES / bytesPerTile) / NR * NR;
        this.block = Math.min(Math.max(NR, b), roundUp(tilesPerSample, NR));
        this.blocksPerSample = (tilesPerSample + block - 1) / block;

        float[] uf = new float[freqs * outC * inC];
        for (int oc = 0; oc < outC; oc++) {
            for (int ic = 0; ic < inC; ic++) tf.transformFilter(weight, (oc * inC + ic) * 9, uf, oc * inC + ic, outC * inC);
        }
        this.u = new PackedA[freqs];
        for (int f = 0; f < freqs; f++) u[f] = PackedA.of(uf, f * outC * inC, outC, inC, inC);

        WinogradTransform.Sparse bt = WinogradTransform.Sparse.of(tf.bt());
        WinogradTransform.Sparse at = WinogradTransform.Sparse.of(tf.at());
        btStart = bt.start();
        btCol = bt.col();
        btVal = bt.val();
        atStart = at.start();
        atCol = at.col();
        atVal = at.val();

        deIdx = new float[m * L];
        for (int jj = 0; jj < m; jj++) for (int l = 0; l < L; l++) deIdx[jj * L + l] = (l * m + jj) % (2 * L);
        inIdx = new float[m * L];
        for (int q = 0; q < m; q++) for (int l = 0; l < L; l++) inIdx[q * L + l] = (l % m) % 2 * L + q * (L / m) + l / m;
        upperHalf = new boolean[L];
        upperPair = new boolean[L];
        for (int l = 0; l < L; l++) {
            upperHalf[l] = l >= L / 2;
            upperPair[l] = l % m >= 2;
        }

        // The last deinterleave of a tile row loads m vectors from its first tile's column.
        this.planeW = tilesX * m + L * m + t;
        int rows = 0;
        for (int blk = 0; blk < blocksPerSample; blk++) {
            int t0 = blk * block;
            int t1 = Math.min(tilesPerSample, t0 + block);
            rows = Math.max(rows, ((t1 - 1) / tilesX - t0 / tilesX) * m + t);
        }
        this.planeRows = rows;
        this.dStride = block + L;
        this.oStride = block + L;
        this.slots = new Scratch[Math.max(1, parallel.threads())];
        this.busy = new boolean[slots.length];
    }

    @Override
    public String tiling() {
        return String.format("%s, %d tiles/block (V+M %d KiB), %d block(s)/sample", tf.label(), block,
                4L * freqs * (inC + outC) * block / 1024, blocksPerSample);
    }

    int block() {
        return block;
    }

    @Override
    public void forward(float[] x, float[] residual, float[] y, int batch) {
        int blocks = batch * blocksPerSample;
        int threads = parallel.threads();
        int rowPanels = (outC + MR - 1) / MR;
        int chunks = threads > 1 && blocks < 2 * threads ? Math.min(rowPanels, (2 * threads + blocks - 1) / blocks) : 1;
        parallel.forRange(blocks * chunks, task -> run(x, residual, y, task / chunks, task % chunks, chunks));
    }

    private void run(float[] x, float[] residual, float[] y, int blockTask, int chunk, int chunks) {
        int n = blockTask / blocksPerSample;
        int t0 = blockTask % blocksPerSample * block;
        int t1 = Math.min(tilesPerSample, t0 + block);
        int rowPanels = (outC + MR - 1) / MR;
        int oc0 = rowPanels * chunk / chunks * MR;
        int oc1 = Math.min(outC, rowPanels * (chunk + 1) / chunks * MR);
        if (oc0 >= oc1) return;
        int slot = acquire();
        Scratch s = slots[slot];
        try {
            int groups = roundUp(t1 - t0, L);
            for (int c = 0; c < inC; c++) {
                pad(x, (n * inC + c) * inH * inW, t0 / tilesX * m - padTop, s.plane);
                deinterleave(s.plane, s.d, t0, t1);
                transformInput(s.d, s.tmp, s.v, c, groups);
            }
            for (int f = 0; f < freqs; f++) {
                s.freqBase = f * block * inC;
                PackedGemm.multiply(u[f], oc0, oc1, s, 0, t1 - t0, s.mm, f * outC * block, block, false);
            }
            for (int oc = oc0; oc < oc1; oc++) {
                transformOutput(s.mm, s.tmp, s.o, oc, groups);
                store(s.o, y, residual, (n * outC + oc) * outH * outW, oc, t0, t1);
            }
        } finally {
            release(slot);
        }
    }

    /** Input rows y0.. of one channel into {@code plane}, column p holding input column p - padLeft, zeros outside. */
    private void pad(float[] x, int xOff, int y0, float[] plane) {
        int copy = Math.min(inW, planeW - padLeft);
        for (int r = 0; r < planeRows; r++) {
            int iy = y0 + r;
            int p = r * planeW;
            if (iy < 0 || iy >= inH) {
                Arrays.fill(plane, p, p + planeW, 0f);
            } else {
                Arrays.fill(plane, p, p + padLeft, 0f);
                System.arraycopy(x, xOff + iy * inW, plane, p + padLeft, copy);
                Arrays.fill(plane, p + padLeft + copy, p + planeW, 0f);
            }
        }
    }

    /**
     * Tile windows of tiles [t0, t1) into {@code d[(i*t + j)*dStride + tile - t0]} = plane row
     * (ty - tyFirst)*m + i, column tx*m + j. Each vector covers L tiles of one tile row; its
     * lanes past the row's end are overwritten by the next row's (or ignored).
     */
    private void deinterleave(float[] plane, float[] d, int t0, int t1) {
        VectorMask<Float> upper = VectorMask.fromArray(S, upperHalf, 0);
        int tyFirst = t0 / tilesX;
        int tyLast = (t1 - 1) / tilesX;
        for (int ty = tyFirst; ty <= tyLast; ty++) {
            int txa = Math.max(0, t0 - ty * tilesX);
            int txb = Math.min(tilesX, t1 - ty * tilesX);
            int seg = ty * tilesX + txa - t0;
            for (int i = 0; i < t; i++) {
                int rowOff = ((ty - tyFirst) * m + i) * planeW;
                int dRow = i * t * dStride + seg - txa;
                for (int tx = txa; tx < txb; tx += L) {
                    for (int half = 0; half < t; half += m) {
                        int src = rowOff + tx * m + half;
                        FloatVector r0 = FloatVector.fromArray(S, plane, src);
                        FloatVector r1 = FloatVector.fromArray(S, plane, src + L);
                        FloatVector r2 = r0, r3 = r1;
                        if (m == 4) {
                            r2 = FloatVector.fromArray(S, plane, src + 2 * L);
                            r3 = FloatVector.fromArray(S, plane, src + 3 * L);
                        }
                        int jn = Math.min(m, t - half);
                        for (int jj = 0; jj < jn; jj++) {
                            FloatVector idx = FloatVector.fromArray(S, deIdx, jj * L);
                            FloatVector e = idx.selectFrom(r0, r1);
                            if (m == 4) e = e.blend(idx.selectFrom(r2, r3), upper);
                            e.intoArray(d, dRow + (half + jj) * dStride + tx);
                        }
                    }
                }
            }
        }
    }

    /** V = B^T d B for channel c, L tiles at a time, into the GEMM's B-panel layout. */
    private void transformInput(float[] d, float[] tmp, float[] v, int c, int groups) {
        int vFreq = block * inC;
        for (int g0 = 0; g0 < groups; g0 += L) {
            for (int i = 0; i < t; i++) {
                int row = i * t * dStride + g0;
                for (int k = 0; k < t; k++) {
                    int n = btStart[k];
                    FloatVector acc = FloatVector.fromArray(S, d, row + btCol[n] * dStride).mul(btVal[n]);
                    for (n++; n < btStart[k + 1]; n++) {
                        acc = FloatVector.fromArray(S, d, row + btCol[n] * dStride).fma(FloatVector.broadcast(S, btVal[n]), acc);
                    }
                    acc.intoArray(tmp, (i * t + k) * L);
                }
            }
            int vOff = (g0 / NR * inC + c) * NR + g0 % NR;
            for (int k1 = 0; k1 < t; k1++) {
                for (int k2 = 0; k2 < t; k2++) {
                    int n = btStart[k1];
                    FloatVector acc = FloatVector.fromArray(S, tmp, (btCol[n] * t + k2) * L).mul(btVal[n]);
                    for (n++; n < btStart[k1 + 1]; n++) {
                        acc = FloatVector.fromArray(S, tmp, (btCol[n] * t + k2) * L).fma(FloatVector.broadcast(S, btVal[n]), acc);
                    }
                    acc.intoArray(v, (k1 * t + k2) * vFreq + vOff);
                }
            }
        }
    }

    /** Y = A^T M A for output channel oc, L tiles at a time, into {@code o[(r1*m + r2)*oStride + tile]}. */
    private void transformOutput(float[] mm, float[] tmp, float[] o, int oc, int groups) {
        int mFreq = outC * block;
        for (int g0 = 0; g0 < groups; g0 += L) {
            int mb = oc * block + g0;
            for (int i = 0; i < t; i++) {
                int row = i * t * mFreq + mb;
                for (int r = 0; r < m; r++) {
                    int n = atStart[r];
                    FloatVector acc = FloatVector.fromArray(S, mm, row + atCol[n] * mFreq).mul(atVal[n]);
                    for (n++; n < atStart[r + 1]; n++) {
                        acc = FloatVector.fromArray(S, mm, row + atCol[n] * mFreq).fma(FloatVector.broadcast(S, atVal[n]), acc);
                    }
                    acc.intoArray(tmp, (i * m + r) * L);
                }
            }
            for (int r1 = 0; r1 < m; r1++) {
                for (int r2 = 0; r2 < m; r2++) {
                    int n = atStart[r1];
                    FloatVector acc = FloatVector.fromArray(S, tmp, (atCol[n] * m + r2) * L).mul(atVal[n]);
                    for (n++; n < atStart[r1 + 1]; n++) {
                        acc = FloatVector.fromArray(S, tmp, (atCol[n] * m + r2) * L).fma(FloatVector.broadcast(S, atVal[n]), acc);
                    }
                    acc.intoArray(o, (r1 * m + r2) * oStride + g0);
                }
            }
        }
    }

    /** Output tiles [t0, t1) of one channel from {@code o} into NCHW rows at {@code y[yPlane..]}, then the epilogue. */
    private void store(float[] o, float[] y, float[] residual, int yPlane, int oc, int t0, int t1) {
        VectorMask<Float> upper = VectorMask.fromArray(S, upperPair, 0);
        int tyFirst = t0 / tilesX;
        int tyLast = (t1 - 1) / tilesX;
        for (int ty = tyFirst; ty <= tyLast; ty++) {
            int txa = Math.max(0, t0 - ty * tilesX);
            int txb = Math.min(tilesX, t1 - ty * tilesX);
            int seg = ty * tilesX + txa - t0;
            int x0 = txa * m;
            int x1 = Math.min(outW, txb * m);
            for (int r = 0; r < m && ty * m + r < outH; r++) {
                int row = yPlane + (ty * m + r) * outW;
                int oRow = r * m * oStride + seg - txa;
                for (int tx = txa; tx < txb; tx += L) {
                    int src = oRow + tx;
                    FloatVector o0 = FloatVector.fromArray(S, o, src);
                    FloatVector o1 = FloatVector.fromArray(S, o, src + oStride);
                    FloatVector o2 = o0, o3 = o1;
                    if (m == 4) {
                        o2 = FloatVector.fromArray(S, o, src + 2 * oStride);
                        o3 = FloatVector.fromArray(S, o, src + 3 * oStride);
                    }
                    for (int q = 0; q < m; q++) {
                        int col = tx * m + q * L;
                        if (col >= x1) break;
                        FloatVector idx = FloatVector.fromArray(S, inIdx, q * L);
                        FloatVector out = idx.selectFrom(o0, o1);
                        if (m == 4) out = out.blend(idx.selectFrom(o2, o3), upper);
                        if (col + L <= x1) out.intoArray(y, row + col);
                        else out.intoArray(y, row + col, S.indexInRange(col, x1));
                    }
                }
                epilogue.apply(y, row + x0, x1 - x0, oc, residual);
            }
        }
    }

    private synchronized int acquire() {
        for (int i = 0; i < slots.length; i++) {
            if (!busy[i]) {
                busy[i] = true;
                if (slots[i] == null) slots[i] = new Scratch();
                return i;
            }
        }
        int i = slots.length;
        slots = Arrays.copyOf(slots, i + 1);
        busy = Arrays.copyOf(busy, i + 1);
        busy[i] = true;
        slots[i] = new Scratch();
        return i;
    }

    private synchronized void release(int slot) {
        busy[slot] = false;
    }

    private static int roundUp(int v, int to) {
        return (v + to - 1) / to * to;
    }

    /** One task's buffers; also the B operand of the per-frequency GEMMs (V[freqBase..] in panel layout). */
    private final class Scratch implements BPanels {
        final float[] plane = new float[planeRows * planeW];
        final float[] d = new float[freqs * dStride];
        final float[] tmp = new float[freqs * L];
        final float[] v = new float[freqs * block * inC];
        final float[] mm = new float[freqs * outC * block];
        final float[] o = new float[m * m * oStride];
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
        public void pack(int p0, int kc, int j0, int nc, float[] dst) {
            int first = j0 / NR;
            int panels = (nc + NR - 1) / NR;
            for (int q = 0; q < panels; q++) {
                System.arraycopy(v, freqBase + ((first + q) * inC + p0) * NR, dst, q * kc * NR, kc * NR);
            }
        }
    }
}
