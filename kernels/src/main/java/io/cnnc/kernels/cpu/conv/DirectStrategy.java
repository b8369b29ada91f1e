package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.PhasePlanes;
import io.cnnc.kernels.cpu.ScratchPool;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution for any geometry: groups (grouped and depthwise too), stride, dilation,
 * asymmetric padding. The fallback for odd shapes and the choice for small layers and for
 * few-channel stems, where im2col's column matrix costs more than the arithmetic.
 *
 * <p>Every input plane is first copied into a zero-padded, column-phase-split buffer
 * ({@link PhasePlanes}), so that each tap (input channel, ky, kx) of a run of {@code L}
 * consecutive outputs of one row is one unmasked contiguous load, whatever the stride, dilation
 * or padding. The output plane is cut into such runs ("slots", row-major). The microkernel keeps
 * {@value #MR} output channels x {@value #NV} slots = 24 vector accumulators in registers over
 * all K = inC/groups * kH * kW taps: per tap, {@value #NV} input loads and {@value #MR} weight
 * broadcasts feed 24 FMAs. Weights are packed once as [group, channel block, tap, MR], zero for
 * the channels that pad a group to a multiple of MR.
 *
 * <p>Work is cut into bands of output rows (sized so a band's outputs for all channels stay in
 * L2) split across threads; within a band, channel blocks are taken in chunks whose packed
 * weights fit L1/L2, slot groups inside. The epilogue runs over each band once it is complete.
 * Each output is one FMA chain in tap order whatever the split, so results do not depend on the
 * thread count.
 */
public final class DirectStrategy implements ConvStrategy {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output channels per microkernel. */
    public static final int MR = 4;
    /** Output vectors (slots) per microkernel. */
    static final int NV = 6;
    /** Below this many multiply-adds per call, splitting over threads costs more than it saves. */
    private static final long PARALLEL_MACS = 1_000_000;
    /** Floats of a band's output (all channels) to aim for: about 128 KiB, well inside L2. */
    private static final int BAND_FLOATS = 32 * 1024;
    /** Floats of packed weights per channel chunk: 64 KiB. */
    private static final int CHUNK_WEIGHT_FLOATS = 16 * 1024;

    public String name() {
        return "direct";
    }

    public boolean supports(ConvGeometry g) {
        return true;
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        return new Kernel(g, weight, epilogue, parallel);
    }

    private static final class Kernel implements ConvKernel {
        private final ConvGeometry g;
        private final Epilogue e;
        private final Parallel parallel;
        private final PhasePlanes planes;
        private final int outH, outW, outHW, icg, ocg, blocksPerGroup, blocks, k, planeSize;
        private final float[] wp;
        private final int[] tapOff;
        private final int perRow, bandRows, bands, blocksPerChunk;
        /** Slots of one band starting at row 0, padded to a multiple of NV by repeating the last. */
        private final int[] slotBase, slotOut;
        private final int bandSlots;
        private final boolean plainEpilogue;
        /** Bias, residual and ReLU applied on the tile's vectors as they are stored (other activations after the band). */
        private final boolean storeEpilogue;
        private final float[] bias;
        private final boolean addResidual, relu;
        /** The padded planes of the whole input, shared by the kernels with this layout ({@link ScratchPool}). */
        private final Object paddedKey;

        Kernel(ConvGeometry g, float[] weight, Epilogue e, Parallel parallel) {
            this.g = g;
            this.e = e;
            this.parallel = parallel;
            this.outH = g.outH();
            this.outW = g.outW();
            this.outHW = outH * outW;
            this.icg = g.inC() / g.groups();
            this.ocg = g.outC() / g.groups();
            this.blocksPerGroup = (ocg + MR - 1) / MR;
            this.blocks = g.groups() * blocksPerGroup;
            this.k = icg * g.kernelH() * g.kernelW();
            this.planes = new PhasePlanes(g.inH(), g.inW(), g.padTop(), g.padLeft(), outH, outW, g.kernelH(), g.kernelW(),
                    g.strideH(), g.strideW(), g.dilationH(), g.dilationW());
            this.planeSize = planes.planeSize();
            // Planes of one layout have their padding at the same places (never written, zero).
            this.paddedKey = List.of("direct input", g.inH(), g.inW(), g.padTop(), g.padLeft(), g.strideW(), planes.rowLength(),
                    planes.phaseLength(), planeSize);

            wp = new float[blocks * k * MR];
            for (int oc = 0; oc < g.outC(); oc++) {
                int group = oc / ocg, within = oc % ocg;
                int block = group * blocksPerGroup + within / MR;
                for (int t = 0; t < k; t++) wp[(block * k + t) * MR + within % MR] = weight[oc * k + t];
            }
            tapOff = new int[k];
            for (int ic = 0, t = 0; ic < icg; ic++) {
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    for (int kx = 0; kx < g.kernelW(); kx++) tapOff[t++] = ic * planeSize + planes.tap(ky, kx);
                }
            }

            perRow = (outW + L - 1) / L;
            // Band height: a multiple of NV / gcd(perRow, NV) rows, so a band's slots fill whole
            // microkernel calls, and about BAND_FLOATS outputs over all channels.
            int unit = NV / gcd(perRow, NV);
            int rows = Math.max(unit, BAND_FLOATS / Math.max(1, g.outC() * outW) / unit * unit);
            if (parallel.threads() > 1 && g.macsPerSample() >= PARALLEL_MACS) rows = balancedRows(rows, parallel.threads());
            this.bandRows = Math.min(rows, (outH + unit - 1) / unit * unit);
            this.bands = (outH + bandRows - 1) / bandRows;
            int real = bandRows * perRow;
            this.bandSlots = (real + NV - 1) / NV * NV;
            slotBase = new int[bandSlots];
            slotOut = new int[bandSlots];
            for (int s = 0; s < bandSlots; s++) {
                int r = Math.min(s, real - 1);
                int oy = r / perRow, ox = r % perRow * L;
                slotBase[s] = planes.base(oy, ox);
                slotOut[s] = oy * outW + ox;
            }
            this.blocksPerChunk = Math.max(1, CHUNK_WEIGHT_FLOATS / (k * MR));
            this.plainEpilogue = e.bias() == null && !e.residual() && e.activation() == ActivationKind.IDENTITY;
            this.storeEpilogue = e.activation() == ActivationKind.IDENTITY || e.activation() == ActivationKind.RELU;
            this.bias = e.bias();
            this.addResidual = e.residual();
            this.relu = e.activation() == ActivationKind.RELU;
        }

        /**
         * Band height for several threads, at most {@code cap} rows: the one whose bands, claimed
         * in order by whichever thread is free, finish first, counting the slots that pad each
         * band to whole microkernel calls and one slot per band for its overhead (weights
         * streamed again). Bands a multiple of the padding-free unit high could leave
         * one thread idle for a band: 3x3 stride 2 128 channels @28 had bands of 9, 9, 9 and 1
         * rows, 36 slots on one core against 24 on the other; bands of 3 rows give 30 and 30.
         */
        private int balancedRows(int cap, int threads) {
            int best = cap;
            long bestCost = Long.MAX_VALUE;
            for (int rows = cap; rows >= 1; rows--) {
                long[] load = new long[threads];
                for (int row0 = 0; row0 < outH; row0 += rows) {
                    int slots = (Math.min(rows, outH - row0) * perRow + NV - 1) / NV * NV;
                    int t = 0;
                    for (int i = 1; i < threads; i++) if (load[i] < load[t]) t = i;
                    load[t] += slots + 1;
                }
                long cost = java.util.Arrays.stream(load).max().orElse(0);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = rows;
                }
            }
            return best;
        }

        private static int gcd(int a, int b) {
            return b == 0 ? a : gcd(b, a % b);
        }

        public void forward(float[] x, float[] residual, float[] y, int batch) {
            boolean wide = (long) batch * g.macsPerSample() >= PARALLEL_MACS && parallel.threads() > 1;
            Parallel p = wide ? parallel : Parallel.serial();
            int inPlanes = batch * g.inC();
            Object key = List.of(paddedKey, inPlanes);
            float[] pad = ScratchPool.take(key, inPlanes * planeSize);
            int inHW = g.inH() * g.inW();
            int fillTasks = wide ? Math.min(parallel.threads(), inPlanes) : 1;
            p.forRange(fillTasks, t -> {
                for (int c = inPlanes * t / fillTasks; c < inPlanes * (t + 1) / fillTasks; c++) planes.fill(x, c * inHW, pad, c * planeSize);
            });
            int work = batch * bands;
            // One task per band: threads claim them as they finish, so the last one waits at most a band.
            int tasks = wide ? work : 1;
            p.forRange(tasks, t -> {
                float[] tile = new float[MR * NV * L];
                for (int i = work * t / tasks; i < work * (t + 1) / tasks; i++) band(pad, i / bands, i % bands, residual, y, tile);
            });
            ScratchPool.give(key, pad);
        }

        /** Rows [band*bandRows, ...) of sample n, every output channel, epilogue included. */
        private void band(float[] pad, int n, int band, float[] residual, float[] y, float[] tile) {
            int row0 = band * bandRows;
            int rows = Math.min(bandRows, outH - row0);
            int slots = rows == bandRows ? bandSlots : (rows * perRow + NV - 1) / NV * NV;
            int lastReal = rows * perRow - 1;
            int rowShift = planes.base(row0, 0);
            int outShift = row0 * outW;
            int bandLen = rows * outW;
            for (int b0 = 0; b0 < blocks; b0 += blocksPerChunk) {
                int b1 = Math.min(blocks, b0 + blocksPerChunk);
                for (int s = 0; s < slots; s += NV) {
                    for (int b = b0; b < b1; b++) {
                        int group = b / blocksPerGroup;
                        int pBase = (n * g.inC() + group * icg) * planeSize + rowShift;
                        int last = Math.min(NV - 1, lastReal - s);
                        micro(pad, pBase, s, last, b * k * MR, tile);
                        int oc0 = group * ocg + (b % blocksPerGroup) * MR;
                        int channels = Math.min(MR, (group + 1) * ocg - oc0);
                        for (int r = 0; r < channels; r++) {
                            int oc = oc0 + r;
                            int yOff = (n * g.outC() + oc) * outHW + outShift;
                            int end = yOff + bandLen;
                            float add = bias == null ? 0f : bias[oc];
                            for (int j = 0; j <= last; j++) {
                                int from = (r * NV + j) * L, at = yOff + slotOut[s + j];
                                if (storeEpilogue) store(tile, from, y, at, end, oc, add, residual);
                                else copy(tile, from, y, at, end);
                            }
                        }
                    }
                }
            }
            if (plainEpilogue || storeEpilogue) return;
            for (int oc = 0; oc < g.outC(); oc++) {
                int off = (n * g.outC() + oc) * outHW + outShift;
                e.apply(y, off, bandLen, oc, residual);
            }
        }

        // A vector partly past its row is copied whole: the lanes past the row land on the start
        // of later rows of the band, which later slots (row-major order) overwrite; only a vector
        // that would pass the band's end is copied element by element. The microkernel leaves its
        // results in a tile instead of storing them itself because guarded stores expand to so
        // much IR that C2 stops inlining the Vector API calls (NodeCountInliningCutoff), and a
        // vector in a call that is not inlined is boxed on the heap.
        private static void copy(float[] tile, int from, float[] y, int at, int end) {
            if (at + L <= end) FloatVector.fromArray(S, tile, from).intoArray(y, at);
            else if (at < end) System.arraycopy(tile, from, y, at, end - at);
        }

        /** {@link #copy} with bias, residual and ReLU added on the way (the element-wise tail by {@link Epilogue#apply}). */
        private void store(float[] tile, int from, float[] y, int at, int end, int oc, float b, float[] res) {
            if (at + L <= end) {
                FloatVector v = FloatVector.fromArray(S, tile, from).add(b);
                if (addResidual) v = v.add(FloatVector.fromArray(S, res, at));
                if (relu) v = v.max(0f);
                v.intoArray(y, at);
            } else if (at < end) {
                System.arraycopy(tile, from, y, at, end - at);
                e.apply(y, at, end - at, oc, res);
            }
        }

        /**
         * MR channels (block weights at wOff) x NV slots (s..s+NV-1 of the band, those past
         * s+last repeating slot s+last) over all K taps, into tile[(r*NV + j)*L ...].
         */
        private void micro(float[] p, int pBase, int s, int last, int wOff, float[] tile) {
            int[] sb = slotBase;
            int b0 = pBase + sb[s], b1 = pBase + sb[s + Math.min(1, last)], b2 = pBase + sb[s + Math.min(2, last)];
            int b3 = pBase + sb[s + Math.min(3, last)], b4 = pBase + sb[s + Math.min(4, last)], b5 = pBase + sb[s + Math.min(5, last)];
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
            FloatVector c03 = FloatVector.zero(S), c04 = FloatVector.zero(S), c05 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
            FloatVector c13 = FloatVector.zero(S), c14 = FloatVector.zero(S), c15 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
            FloatVector c23 = FloatVector.zero(S), c24 = FloatVector.zero(S), c25 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
            FloatVector c33 = FloatVector.zero(S), c34 = FloatVector.zero(S), c35 = FloatVector.zero(S);
            int[] to = tapOff;
            float[] w = wp;
            for (int t = 0, wo = wOff; t < k; t++, wo += MR) {
                int o = to[t];
                FloatVector w0 = FloatVector.broadcast(S, w[wo]);
                FloatVector w1 = FloatVector.broadcast(S, w[wo + 1]);
                FloatVector w2 = FloatVector.broadcast(S, w[wo + 2]);
                FloatVector w3 = FloatVector.broadcast(S, w[wo + 3]);
                FloatVector v = FloatVector.fromArray(S, p, b0 + o);
                c00 = v.fma(w0, c00);
                c10 = v.fma(w1, c10);
                c20 = v.fma(w2, c20);
                c30 = v.fma(w3, c30);
                v = FloatVector.fromArray(S, p, b1 + o);
                c01 = v.fma(w0, c01);
                c11 = v.fma(w1, c11);
                c21 = v.fma(w2, c21);
                c31 = v.fma(w3, c31);
                v = FloatVector.fromArray(S, p, b2 + o);
                c02 = v.fma(w0, c02);
                c12 = v.fma(w1, c12);
                c22 = v.fma(w2, c22);
                c32 = v.fma(w3, c32);
                v = FloatVector.fromArray(S, p, b3 + o);
                c03 = v.fma(w0, c03);
                c13 = v.fma(w1, c13);
                c23 = v.fma(w2, c23);
                c33 = v.fma(w3, c33);
                v = FloatVector.fromArray(S, p, b4 + o);
                c04 = v.fma(w0, c04);
                c14 = v.fma(w1, c14);
                c24 = v.fma(w2, c24);
                c34 = v.fma(w3, c34);
                v = FloatVector.fromArray(S, p, b5 + o);
                c05 = v.fma(w0, c05);
                c15 = v.fma(w1, c15);
                c25 = v.fma(w2, c25);
                c35 = v.fma(w3, c35);
            }
            c00.intoArray(tile, 0);
            c01.intoArray(tile, L);
            c02.intoArray(tile, 2 * L);
            c03.intoArray(tile, 3 * L);
            c04.intoArray(tile, 4 * L);
            c05.intoArray(tile, 5 * L);
            c10.intoArray(tile, 6 * L);
            c11.intoArray(tile, 7 * L);
            c12.intoArray(tile, 8 * L);
            c13.intoArray(tile, 9 * L);
            c14.intoArray(tile, 10 * L);
            c15.intoArray(tile, 11 * L);
            c20.intoArray(tile, 12 * L);
            c21.intoArray(tile, 13 * L);
            c22.intoArray(tile, 14 * L);
            c23.intoArray(tile, 15 * L);
            c24.intoArray(tile, 16 * L);
            c25.intoArray(tile, 17 * L);
            c30.intoArray(tile, 18 * L);
            c31.intoArray(tile, 19 * L);
            c32.intoArray(tile, 20 * L);
            c33.intoArray(tile, 21 * L);
            c34.intoArray(tile, 22 * L);
            c35.intoArray(tile, 23 * L);
        }

        public String tiling() {
            return "direct: " + MR + " channels x " + NV + " vectors of " + L + " columns per microkernel, K=" + k + " taps, bands of "
                    + bandRows + " rows, " + blocksPerChunk + " channel blocks per weight chunk";
        }
    }
}
