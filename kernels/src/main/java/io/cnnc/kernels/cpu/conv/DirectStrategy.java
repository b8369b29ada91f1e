package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.FlatPlanes;
import io.cnnc.kernels.cpu.VectorRegisters;
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
 * <p>Every input plane is first copied into a zero-padded, stride-phase-split buffer, so that
 * each tap (input channel, ky, kx) of a run of {@code L} outputs ("slot") is one unmasked
 * contiguous load, whatever the stride, dilation or padding. Slots either stop at each output
 * row's end ({@link PhasePlanes}: a 28-column row is two slots, 4 lanes wasted) or number the
 * outputs with a row pitch a little wider than the row and run across rows ({@link FlatPlanes}:
 * 1 junk output per 29); the layout that needs fewer microkernel calls is used. The microkernel
 * keeps MR output channels x NV slots in vector registers over all K = inC/groups * kH * kW
 * taps: with 32 registers (AVX-512) 4 x 6 = 24 accumulators, per tap 6 input loads and 4 weight
 * broadcasts feeding 24 FMAs; with 16 (AVX2) 3 x 4 = 12 (Kernel.micro34). Weights are packed
 * once as [group, channel block, tap, MR],
 * zero for the channels that pad a group to a multiple of MR.
 *
 * <p>Work is cut into bands of microkernel calls (sized so a band's outputs for all channels
 * stay in L2) and, on several threads, each band into one part per thread by channel blocks, so
 * the parts share out evenly; threads claim them as they finish. Within a part, channel blocks are taken in chunks whose packed weights fit L1/L2, slot groups
 * inside. Bias, residual and ReLU are added as the results are stored; other activations run
 * over each band once it is complete. Each output is one FMA chain in tap order whatever the
 * split, so results do not depend on the thread count.
 */
public final class DirectStrategy implements ConvStrategy {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output channels per microkernel. */
    public static final int MR = VectorRegisters.wide() ? 4 : 3;
    /** Output vectors (slots) per microkernel. */
    static final int NV = VectorRegisters.wide() ? 6 : 4;
    /** Below this many multiply-adds per call, splitting over threads costs more than it saves. */
    private static final long PARALLEL_MACS = 1_000_000;
    /** Floats of a band's output (all channels) to aim for: about 128 KiB, well inside L2. */
    private static final int BAND_FLOATS = 32 * 1024;
    /** Floats of packed weights per channel chunk: 64 KiB. */
    private static final int CHUNK_WEIGHT_FLOATS = 16 * 1024;

    /** How outputs are numbered into slots: the layout that needs fewer calls, or one forced (tests). */
    enum Numbering { FEWEST_CALLS, FLAT, ROWS }

    private final Numbering numbering;

    public DirectStrategy() {
        this(Numbering.FEWEST_CALLS);
    }

    /** Which numbering wins depends on the vector width; tests force each to cover both anywhere. */
    DirectStrategy(Numbering numbering) {
        this.numbering = numbering;
    }

    public String name() {
        return "direct";
    }

    public boolean supports(ConvGeometry g) {
        return true;
    }

    public ConvKernel prepare(ConvGeometry g, float[] weight, Epilogue epilogue, Parallel parallel) {
        return new Kernel(g, weight, epilogue, parallel, numbering);
    }

    /** Output rows fill vectors of L pixels and channels blocks of MR: a 7-pixel row wastes 9 of 16 lanes. */
    @Override
    public ConvWork work(ConvGeometry g, int threads) {
        double padding = ConvWork.roundedUp(g.outW(), L) * ConvWork.roundedUp(g.outC() / g.groups(), MR);
        return ConvWork.padded(g, padding, "direct count of multiply-adds");
    }

    private static final class Kernel implements ConvKernel {
        private final ConvGeometry g;
        private final Epilogue e;
        private final Parallel parallel;
        /** The padded input's layout: rows cut at each output row's end, or numbered with a pitch across rows (flat). */
        private final PhasePlanes planes;
        private final FlatPlanes flatPlanes;
        private final int outH, outW, outHW, icg, ocg, blocksPerGroup, blocks, k, planeSize;
        private final float[] wp;
        private final int[] tapOff;
        /** Slots (vectors of L outputs) per sample, microkernel calls (NV slots each) per sample and per band. */
        private final int slots, calls, callsPerBand, bands, blocksPerChunk;
        /** Parts each band's channel blocks are split into, one task each: on several threads, bands then share out evenly. */
        private final int channelChunks;
        /** Per band: input rows [0, n) hold every input its outputs read. */
        private final int[] inputRowsNeeded;
        /** Per slot: where its window starts in an input plane. */
        private final int[] slotBase;
        /** Per slot s: output runs segStart[s]..segStart[s+1]-1, each at segY (in the plane) from lane segLane of the slot's vector. */
        private final int[] segStart, segY, segLane;
        private final boolean plainEpilogue;
        /** Bias, residual and ReLU applied on the tile's vectors as they are stored (other activations after the band). */
        private final boolean storeEpilogue;
        private final float[] bias;
        private final boolean addResidual, relu;
        /** The padded planes of the whole input, shared by the kernels with this layout ({@link ScratchPool}). */
        private final Object paddedKey;

        Kernel(ConvGeometry g, float[] weight, Epilogue e, Parallel parallel, Numbering numbering) {
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
            int perRow = (outW + L - 1) / L;
            FlatPlanes flatLayout = new FlatPlanes(g.inH(), g.inW(), g.padTop(), g.padLeft(), outH, outW, g.kernelH(), g.kernelW(),
                    g.strideH(), g.strideW(), g.dilationH(), g.dilationW());
            int flatNumbers = (outH - 1) * flatLayout.pitch() + outW;
            int flatSlots = (flatNumbers + L - 1) / L;
            // Flat numbering when it needs fewer microkernel calls: 3x3 stride 2 @28 needs 9
            // instead of 10 (51 slots of 29-number rows against 56 of two vectors per row).
            boolean flat = switch (numbering) {
                case FEWEST_CALLS -> (flatSlots + NV - 1) / NV < (outH * perRow + NV - 1) / NV;
                case FLAT -> true;
                case ROWS -> false;
            };
            this.flatPlanes = flat ? flatLayout : null;
            this.planes = flat ? null : new PhasePlanes(g.inH(), g.inW(), g.padTop(), g.padLeft(), outH, outW, g.kernelH(), g.kernelW(),
                    g.strideH(), g.strideW(), g.dilationH(), g.dilationW());
            this.planeSize = flat ? flatPlanes.planeSize() : planes.planeSize();
            // Planes of one layout have their padding at the same places (never written, zero).
            this.paddedKey = flat ? List.of("direct flat input", g.inH(), g.inW(), g.padTop(), g.padLeft(), g.strideH(), g.strideW(),
                    flatPlanes.pitch(), planeSize)
                    : List.of("direct input", g.inH(), g.inW(), g.padTop(), g.padLeft(), g.strideW(), planes.rowLength(),
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
                    for (int kx = 0; kx < g.kernelW(); kx++) tapOff[t++] = ic * planeSize + (flat ? flatPlanes.tap(ky, kx) : planes.tap(ky, kx));
                }
            }

            this.slots = flat ? flatSlots : outH * perRow;
            this.calls = (slots + NV - 1) / NV;
            slotBase = new int[slots];
            segStart = new int[slots + 1];
            List<int[]> runs = new java.util.ArrayList<>();
            for (int s = 0; s < slots; s++) {
                segStart[s] = runs.size();
                if (!flat) {
                    int oy = s / perRow, ox = s % perRow * L;
                    slotBase[s] = planes.base(oy, ox);
                    runs.add(new int[] {oy * outW + ox, 0});
                    continue;
                }
                int pitch = flatPlanes.pitch();
                slotBase[s] = s * L;
                for (int q = s * L, end = Math.min(q + L, flatNumbers); q < end; ) {
                    int oy = q / pitch, ox = q % pitch;
                    if (ox >= outW) {
                        q = (oy + 1) * pitch;
                        continue;
                    }
                    runs.add(new int[] {oy * outW + ox, q - s * L});
                    q += outW - ox;
                }
            }
            segStart[slots] = runs.size();
            segY = runs.stream().mapToInt(r -> r[0]).toArray();
            segLane = runs.stream().mapToInt(r -> r[1]).toArray();
            // Bands of whole calls, about BAND_FLOATS outputs over all channels (in L2).
            int cap = Math.max(1, BAND_FLOATS / Math.max(1, g.outC() * NV * L));
            boolean wide = parallel.threads() > 1 && g.macsPerSample() >= PARALLEL_MACS;
            // Each band split by channel blocks, one part per thread, as bands of whole calls
            // left one core a call behind (docs/kernels.md, "Direct"); parts of a band take the
            // same time.
            this.channelChunks = wide && blocks >= 2 * parallel.threads() ? parallel.threads() : 1;
            this.callsPerBand = wide && channelChunks == 1 ? balancedCalls(Math.min(cap, calls), parallel.threads()) : Math.min(cap, calls);
            this.bands = (calls + callsPerBand - 1) / callsPerBand;
            inputRowsNeeded = new int[bands];
            for (int band = 0; band < bands; band++) {
                int c1 = Math.min(calls, (band + 1) * callsPerBand);
                int lastOut = (c1 == calls ? outHW : segY[segStart[c1 * NV]]) - 1;
                int lastRow = lastOut / outW * g.strideH() + (g.kernelH() - 1) * g.dilationH() - g.padTop();
                inputRowsNeeded[band] = Math.max(0, Math.min(g.inH(), lastRow + 1));
            }
            this.blocksPerChunk = Math.max(1, CHUNK_WEIGHT_FLOATS / (k * MR));
            this.plainEpilogue = e.bias() == null && !e.residual() && e.activation() == ActivationKind.IDENTITY;
            this.storeEpilogue = !plainEpilogue && (e.activation() == ActivationKind.IDENTITY || e.activation() == ActivationKind.RELU);
            this.bias = e.bias();
            this.addResidual = e.residual();
            this.relu = e.activation() == ActivationKind.RELU;
        }

        /**
         * Calls per band for several threads, at most {@code cap}: the count whose bands, claimed
         * in order by whichever thread is free, finish first, with one slot per band for its
         * overhead (weights streamed again). 3x3 stride 2 128 channels @28 had bands of 9, 9, 9
         * and 1 rows, 36 slots on one core against 24 on the other.
         */
        private int balancedCalls(int cap, int threads) {
            int best = cap;
            long bestCost = Long.MAX_VALUE;
            for (int per = cap; per >= 1; per--) {
                long[] load = new long[threads];
                for (int c0 = 0; c0 < calls; c0 += per) {
                    int t = 0;
                    for (int i = 1; i < threads; i++) if (load[i] < load[t]) t = i;
                    load[t] += (long) Math.min(per, calls - c0) * NV + 1;
                }
                long cost = java.util.Arrays.stream(load).max().orElse(0);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = per;
                }
            }
            return best;
        }

        public void forward(float[] x, float[] residual, float[] y, int batch) {
            boolean wide = (long) batch * g.macsPerSample() >= PARALLEL_MACS && parallel.threads() > 1;
            if (!wide) {
                samples(x, residual, y, 0, batch);
                return;
            }
            Parallel p = parallel;
            int inPlanes = batch * g.inC();
            Object key = List.of(paddedKey, inPlanes);
            float[] pad = ScratchPool.take(key, inPlanes * planeSize);
            int inHW = g.inH() * g.inW();
            int fillTasks = Math.min(parallel.threads(), inPlanes);
            p.forRange(fillTasks, t -> {
                for (int c = inPlanes * t / fillTasks; c < inPlanes * (t + 1) / fillTasks; c++) {
                    if (flatPlanes != null) flatPlanes.fill(x, c * inHW, pad, c * planeSize);
                    else planes.fill(x, c * inHW, pad, c * planeSize);
                }
            });
            int chunks = wide ? channelChunks : 1;
            int work = batch * bands * chunks;
            // One task per band part: threads claim them as they finish, so the last one waits at most a part.
            int tasks = wide ? work : 1;
            p.forRange(tasks, t -> {
                // A run starting at lane l reads L floats from there: one vector of slack.
                float[] tile = new float[MR * NV * L + L];
                for (int i = work * t / tasks; i < work * (t + 1) / tasks; i++) {
                    int part = i % chunks, nb = i / chunks;
                    band(pad, nb / bands, nb / bands, nb % bands, blocks * part / chunks, blocks * (part + 1) / chunks, residual, y, tile);
                }
            });
            ScratchPool.give(key, pad);
        }

        /** Samples [from, from + count) of the batch's arrays, in place, on this thread. */
        @Override
        public boolean forwardSamples(float[] x, float[] residual, float[] y, int from, int count) {
            samples(x, residual, y, from, count);
            return true;
        }

        /**
         * Samples [from, from + count) on this thread: each band's input rows are copied into one
         * sample's padded planes just before the band reads them, still in L2, instead of the
         * whole padded input first.
         */
        private void samples(float[] x, float[] residual, float[] y, int from, int count) {
            Object key = List.of(paddedKey, g.inC());
            float[] pad = ScratchPool.take(key, g.inC() * planeSize);
            int inHW = g.inH() * g.inW();
            float[] tile = new float[MR * NV * L + L];
            for (int n = from; n < from + count; n++) {
                int filled = 0;
                for (int band = 0; band < bands; band++) {
                    int need = inputRowsNeeded[band];
                    for (int ci = 0; ci < g.inC() && need > filled; ci++) {
                        int c = n * g.inC() + ci;
                        if (flatPlanes != null) flatPlanes.fill(x, c * inHW, pad, ci * planeSize, filled, need);
                        else planes.fill(x, c * inHW, pad, ci * planeSize, filled, need);
                    }
                    filled = Math.max(filled, need);
                    band(pad, 0, n, band, 0, blocks, residual, y, tile);
                }
            }
            ScratchPool.give(key, pad);
        }

        /** Calls [band*callsPerBand, ...) of sample n (its padded planes at sample padN of pad), channel blocks [bLo, bHi), epilogue included. */
        private void band(float[] pad, int padN, int n, int band, int bLo, int bHi, float[] residual, float[] y, float[] tile) {
            int c0 = band * callsPerBand, c1 = Math.min(calls, c0 + callsPerBand);
            int yStart = segY[segStart[c0 * NV]];
            int yEnd = c1 == calls ? outHW : segY[segStart[c1 * NV]];
            for (int b0 = bLo; b0 < bHi; b0 += blocksPerChunk) {
                int b1 = Math.min(bHi, b0 + blocksPerChunk);
                for (int s = c0 * NV; s < c1 * NV; s += NV) {
                    int last = Math.min(NV - 1, slots - 1 - s);
                    for (int b = b0; b < b1; b++) {
                        int group = b / blocksPerGroup;
                        int pBase = (padN * g.inC() + group * icg) * planeSize;
                        micro(pad, pBase, s, last, b * k * MR, tile);
                        int oc0 = group * ocg + (b % blocksPerGroup) * MR;
                        int channels = Math.min(MR, (group + 1) * ocg - oc0);
                        for (int r = 0; r < channels; r++) {
                            int oc = oc0 + r;
                            int yOff = (n * g.outC() + oc) * outHW;
                            int end = yOff + yEnd;
                            float add = bias == null ? 0f : bias[oc];
                            if (flatPlanes == null) {
                                // One run per slot, its index the slot's (the loop over runs cost the 7x7 stem 12%).
                                for (int j = 0; j <= last; j++) {
                                    int from = (r * NV + j) * L, at = yOff + segY[s + j];
                                    if (storeEpilogue) store(tile, from, y, at, end, oc, add, residual);
                                    else copy(tile, from, y, at, end);
                                }
                                continue;
                            }
                            for (int j = 0; j <= last; j++) {
                                for (int seg = segStart[s + j]; seg < segStart[s + j + 1]; seg++) {
                                    int from = (r * NV + j) * L + segLane[seg], at = yOff + segY[seg];
                                    if (storeEpilogue) store(tile, from, y, at, end, oc, add, residual);
                                    else copy(tile, from, y, at, end);
                                }
                            }
                        }
                    }
                }
            }
            if (plainEpilogue || storeEpilogue) return;
            for (int b = bLo; b < bHi; b++) {
                int group = b / blocksPerGroup;
                int oc0 = group * ocg + (b % blocksPerGroup) * MR;
                for (int oc = oc0; oc < Math.min(oc0 + MR, (group + 1) * ocg); oc++) {
                    e.apply(y, (n * g.outC() + oc) * outHW + yStart, yEnd - yStart, oc, residual);
                }
            }
        }

        // A run is stored as a whole vector: the lanes past it land on later outputs of the band,
        // which later runs (in output order) overwrite; only a vector that would pass the band's
        // end is copied element by element. The microkernel leaves its
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
            if (MR == 4) micro46(p, pBase, s, last, wOff, tile);
            else micro34(p, pBase, s, last, wOff, tile);
        }

        private void micro46(float[] p, int pBase, int s, int last, int wOff, float[] tile) {
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

        /**
         * The 16-register (AVX2) block: 3 channels x 4 slots. Measured on Zen2 (one core, taps in
         * L1, GFLOP/s): 3x4 72, 5x2 72, 4x2 61, 2x6 57, 4x4 45, 4x6 (micro46) 40, 4x3 36, 6x2 37:
         * C2 spills where accumulators, broadcasts and a load outgrow 16 registers.
         */
        private void micro34(float[] p, int pBase, int s, int last, int wOff, float[] tile) {
            int[] sb = slotBase;
            int b0 = pBase + sb[s], b1 = pBase + sb[s + Math.min(1, last)], b2 = pBase + sb[s + Math.min(2, last)];
            int b3 = pBase + sb[s + Math.min(3, last)];
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
            int[] to = tapOff;
            float[] w = wp;
            for (int wo = wOff, t = 0, end = wOff + 3 * k; wo < end; wo += 3, t++) {
                int o = to[t];
                FloatVector w0 = FloatVector.broadcast(S, w[wo]);
                FloatVector w1 = FloatVector.broadcast(S, w[wo + 1]);
                FloatVector w2 = FloatVector.broadcast(S, w[wo + 2]);
                FloatVector v = FloatVector.fromArray(S, p, b0 + o);
                c00 = v.fma(w0, c00);
                c10 = v.fma(w1, c10);
                c20 = v.fma(w2, c20);
                v = FloatVector.fromArray(S, p, b1 + o);
                c01 = v.fma(w0, c01);
                c11 = v.fma(w1, c11);
                c21 = v.fma(w2, c21);
                v = FloatVector.fromArray(S, p, b2 + o);
                c02 = v.fma(w0, c02);
                c12 = v.fma(w1, c12);
                c22 = v.fma(w2, c22);
                v = FloatVector.fromArray(S, p, b3 + o);
                c03 = v.fma(w0, c03);
                c13 = v.fma(w1, c13);
                c23 = v.fma(w2, c23);
            }
            c00.intoArray(tile, 0);
            c01.intoArray(tile, L);
            c02.intoArray(tile, 2 * L);
            c03.intoArray(tile, 3 * L);
            c10.intoArray(tile, 4 * L);
            c11.intoArray(tile, 5 * L);
            c12.intoArray(tile, 6 * L);
            c13.intoArray(tile, 7 * L);
            c20.intoArray(tile, 8 * L);
            c21.intoArray(tile, 9 * L);
            c22.intoArray(tile, 10 * L);
            c23.intoArray(tile, 11 * L);
        }

        public String tiling() {
            return "direct: " + MR + " channels x " + NV + " vectors of " + L + (flatPlanes != null ? " outputs numbered with pitch "
                    + flatPlanes.pitch() : " columns") + " per microkernel, K=" + k + " taps, " + calls + " calls in bands of " + callsPerBand
                    + (channelChunks > 1 ? " split in " + channelChunks + " by channels" : "") + ", " + blocksPerChunk + " channel blocks per weight chunk";
        }
    }
}
