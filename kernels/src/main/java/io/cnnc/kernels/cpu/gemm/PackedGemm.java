package io.cnnc.kernels.cpu.gemm;

import io.cnnc.kernels.cpu.VectorRegisters;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision C = A B (or C += A B) with A packed once ({@link PackedA}) and B packed per
 * call in blocks of {@link #KC} rows ({@link BPanels}), in the BLIS loop order: each B panel
 * (KC x NR, fits L1) is reused by every MR-row panel of A (KC x MR) streamed from L2. The
 * microkernel keeps an MR x NR block of C in 2*MR vector registers for the whole KC loop (8 x 2
 * vectors with 32 registers, 5 x 2 with 16: {@link VectorRegisters}); its
 * vectors never leave the one method, because FloatVector values passed to a method the JIT does
 * not inline are boxed on the heap. Each element of C is summed in the same order whatever the
 * caller's split of rows or columns, so results do not depend on the thread count.
 */
public final class PackedGemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /**
     * Rows of C per microkernel call: 8 (16 accumulators) where there are 32 vector registers, 5
     * (10 accumulators) with 16 (AVX2): see {@link #kernel5} for the measurements.
     */
    public static final int MR = VectorRegisters.wide() ? 8 : 5;
    /** Columns of C per microkernel call: two vectors. */
    public static final int NR = 2 * L;
    /**
     * Rows of B packed at once; a KC x NR panel of B is {@code 4*KC*NR} bytes. 512 rather than
     * 256: half as many passes over C per product, and a streamed weight panel twice as long for
     * the prefetcher (docs/kernels.md, "PackedGemm").
     */
    public static final int KC = Integer.getInteger("cnnc.gemm.kc", 512);
    /** Columns of B packed at once, so a KC x NC block of packed B stays in L2. */
    public static final int NC = roundUp(Integer.getInteger("cnnc.gemm.nc", 512), NR);

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** A thread's packed block of B (from a cache line, see {@link io.cnnc.kernels.cpu.AlignedFloats}) and its edge tile. */
    private static final class Scratch {
        final io.cnnc.kernels.cpu.AlignedFloats.Growable panels = new io.cnnc.kernels.cpu.AlignedFloats.Growable();
        final float[] tile = new float[MR * NR];
    }

    private PackedGemm() {}

    /**
     * Rows {@code [m0, m1)} x columns {@code [n0, n1)} of C, stored at {@code c[cOff + i*ldc + j]},
     * become A B, or C + A B when {@code accumulate}. {@code m0} must be a multiple of MR. Runs on
     * the calling thread; callers split rows or columns across cores.
     */
    public static void multiply(PackedA a, int m0, int m1, BPanels b, int n0, int n1, float[] c, int cOff, int ldc, boolean accumulate) {
        if (a.k() != b.k()) throw new IllegalArgumentException("A has " + a.k() + " columns but B has " + b.k() + " rows");
        if (m0 % MR != 0) throw new IllegalArgumentException("first row " + m0 + " is not a multiple of " + MR);
        int k = a.k();
        int nc = n1 - n0;
        if (nc <= 0 || m1 <= m0) return;
        Scratch scratch = SCRATCH.get();
        scratch.panels.fit(Math.min(KC, k) * roundUp(Math.min(nc, NC), NR));
        float[] bp = scratch.panels.array;
        int bpAt = scratch.panels.at;
        float[] tile = scratch.tile;
        if (k == 0) {
            if (!accumulate) for (int i = m0; i < m1; i++) java.util.Arrays.fill(c, cOff + i * ldc + n0, cOff + i * ldc + n1, 0f);
            return;
        }
        for (int j0 = n0; j0 < n1; j0 += NC) {
            int ncb = Math.min(NC, n1 - j0);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kc = Math.min(KC, k - p0);
                b.pack(p0, kc, j0, ncb, bp, bpAt);
                boolean acc = accumulate || p0 > 0;
                for (int q = 0; q * NR < ncb; q++) {
                    int cols = Math.min(NR, ncb - q * NR);
                    for (int i = m0; i < m1; i += MR) {
                        kernel(kc, a.data(), a.panelOffset(i) + p0 * MR, bp, bpAt + q * kc * NR, c, cOff + i * ldc + j0 + q * NR, ldc,
                                Math.min(MR, m1 - i), cols, acc, tile);
                    }
                }
            }
        }
    }

    /**
     * As {@link #multiply(PackedA, int, int, BPanels, int, int, float[], int, int, boolean)}, with
     * B packed once: its panels are read in place. {@code n0} must be a multiple of NR.
     */
    public static void multiply(PackedA a, int m0, int m1, PackedB b, int n0, int n1, float[] c, int cOff, int ldc, boolean accumulate) {
        if (a.k() != b.k()) throw new IllegalArgumentException("A has " + a.k() + " columns but B has " + b.k() + " rows");
        if (m0 % MR != 0) throw new IllegalArgumentException("first row " + m0 + " is not a multiple of " + MR);
        if (n1 <= n0 || m1 <= m0) return;
        if (n0 % NR != 0) throw new IllegalArgumentException("first column " + n0 + " is not a multiple of " + NR);
        int k = a.k();
        if (k == 0) {
            if (!accumulate) for (int i = m0; i < m1; i++) java.util.Arrays.fill(c, cOff + i * ldc + n0, cOff + i * ldc + n1, 0f);
            return;
        }
        float[] tile = SCRATCH.get().tile;
        float[] bd = b.data();
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean acc = accumulate || p0 > 0;
            for (int j = n0; j < n1; j += NR) {
                int cols = Math.min(NR, n1 - j);
                int bOff = b.panelOffset(p0, j);
                for (int i = m0; i < m1; i += MR) {
                    kernel(kc, a.data(), a.panelOffset(i) + p0 * MR, bd, bOff, c, cOff + i * ldc + j, ldc, Math.min(MR, m1 - i), cols, acc, tile);
                }
            }
        }
    }

    /**
     * One KC block of a product whose A is packed by the caller block by block (an implicit
     * im2col with pixels on the rows, say): C[rows x [n0, n1)] at {@code c[cOff + i*ldc + j]}
     * becomes (or, with {@code accumulate}, gains) A_blk times rows {@code [p0, p0+kc)} of B,
     * where kc is B's KC block at p0 and A_blk holds panels of MR rows, kc x MR floats each,
     * from {@code a[aOff]}. {@code p0} must start one of B's KC blocks and {@code n0} a panel.
     */
    public static void multiplyBlock(float[] a, int aOff, int rows, PackedB b, int p0, int n0, int n1, float[] c, int cOff, int ldc, boolean accumulate) {
        if (p0 % KC != 0 || n0 % NR != 0) throw new IllegalArgumentException("block (" + p0 + ", " + n0 + ") is not aligned to KC x NR");
        int kc = Math.min(KC, b.k() - p0);
        float[] tile = SCRATCH.get().tile;
        float[] bd = b.data();
        for (int j = n0; j < n1; j += NR) {
            int cols = Math.min(NR, n1 - j);
            int bOff = b.panelOffset(p0, j);
            for (int i = 0; i < rows; i += MR) {
                kernel(kc, a, aOff + i * kc, bd, bOff, c, cOff + i * ldc + j, ldc, Math.min(MR, rows - i), cols, accumulate, tile);
            }
        }
    }

    /**
     * C = A B for whole matrices on {@code parallel}'s cores: columns split into NR-aligned
     * chunks when B is wider than A is tall (each task packs only its own columns), rows
     * otherwise.
     */
    public static void multiply(PackedA a, BPanels b, float[] c, int cOff, int ldc, boolean accumulate, io.cnnc.kernels.cpu.Parallel parallel) {
        int m = a.m();
        int n = b.n();
        int rowPanels = (m + MR - 1) / MR;
        int colPanels = (n + NR - 1) / NR;
        boolean byColumns = colPanels >= rowPanels;
        int tasks = Math.max(1, Math.min(parallel.threads(), byColumns ? colPanels : rowPanels));
        if (tasks == 1) {
            multiply(a, 0, m, b, 0, n, c, cOff, ldc, accumulate);
            return;
        }
        parallel.forRange(tasks, t -> {
            if (byColumns) {
                int lo = colPanels * t / tasks * NR;
                int hi = Math.min(n, colPanels * (t + 1) / tasks * NR);
                multiply(a, 0, m, b, lo, hi, c, cOff, ldc, accumulate);
            } else {
                int lo = rowPanels * t / tasks * MR;
                int hi = Math.min(m, rowPanels * (t + 1) / tasks * MR);
                multiply(a, lo, hi, b, 0, n, c, cOff, ldc, accumulate);
            }
        });
    }

    static int roundUp(int v, int to) {
        return (v + to - 1) / to * to;
    }

    private static void kernel(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc,
                               int rows, int cols, boolean accumulate, float[] tile) {
        if (MR == 8) kernel8(kc, a, aOff, b, bOff, c, cOff, ldc, rows, cols, accumulate, tile);
        else kernel5(kc, a, aOff, b, bOff, c, cOff, ldc, rows, cols, accumulate, tile);
    }

    private static void kernel8(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc,
                                int rows, int cols, boolean accumulate, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int ap = aOff, bq = bOff, end = aOff + 8 * kc; ap < end; ap += 8, bq += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bq);
            FloatVector b1 = FloatVector.fromArray(S, b, bq + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap + 0]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c40 = b0.fma(a4, c40);
            c41 = b1.fma(a4, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c50 = b0.fma(a5, c50);
            c51 = b1.fma(a5, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
            c60 = b0.fma(a6, c60);
            c61 = b1.fma(a6, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
            c70 = b0.fma(a7, c70);
            c71 = b1.fma(a7, c71);
        }
        if (rows == MR && cols == NR) {
            if (accumulate) {
                c00 = c00.add(FloatVector.fromArray(S, c, cOff + 0 * ldc));
                c01 = c01.add(FloatVector.fromArray(S, c, cOff + 0 * ldc + L));
                c10 = c10.add(FloatVector.fromArray(S, c, cOff + 1 * ldc));
                c11 = c11.add(FloatVector.fromArray(S, c, cOff + 1 * ldc + L));
                c20 = c20.add(FloatVector.fromArray(S, c, cOff + 2 * ldc));
                c21 = c21.add(FloatVector.fromArray(S, c, cOff + 2 * ldc + L));
                c30 = c30.add(FloatVector.fromArray(S, c, cOff + 3 * ldc));
                c31 = c31.add(FloatVector.fromArray(S, c, cOff + 3 * ldc + L));
                c40 = c40.add(FloatVector.fromArray(S, c, cOff + 4 * ldc));
                c41 = c41.add(FloatVector.fromArray(S, c, cOff + 4 * ldc + L));
                c50 = c50.add(FloatVector.fromArray(S, c, cOff + 5 * ldc));
                c51 = c51.add(FloatVector.fromArray(S, c, cOff + 5 * ldc + L));
                c60 = c60.add(FloatVector.fromArray(S, c, cOff + 6 * ldc));
                c61 = c61.add(FloatVector.fromArray(S, c, cOff + 6 * ldc + L));
                c70 = c70.add(FloatVector.fromArray(S, c, cOff + 7 * ldc));
                c71 = c71.add(FloatVector.fromArray(S, c, cOff + 7 * ldc + L));
            }
            c00.intoArray(c, cOff + 0 * ldc);
            c01.intoArray(c, cOff + 0 * ldc + L);
            c10.intoArray(c, cOff + 1 * ldc);
            c11.intoArray(c, cOff + 1 * ldc + L);
            c20.intoArray(c, cOff + 2 * ldc);
            c21.intoArray(c, cOff + 2 * ldc + L);
            c30.intoArray(c, cOff + 3 * ldc);
            c31.intoArray(c, cOff + 3 * ldc + L);
            c40.intoArray(c, cOff + 4 * ldc);
            c41.intoArray(c, cOff + 4 * ldc + L);
            c50.intoArray(c, cOff + 5 * ldc);
            c51.intoArray(c, cOff + 5 * ldc + L);
            c60.intoArray(c, cOff + 6 * ldc);
            c61.intoArray(c, cOff + 6 * ldc + L);
            c70.intoArray(c, cOff + 7 * ldc);
            c71.intoArray(c, cOff + 7 * ldc + L);
            return;
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        storeEdge(tile, c, cOff, ldc, rows, cols, accumulate);
    }

    /**
     * The 16-register (AVX2) block: 5 rows x 2 vectors. C2 keeps 10 accumulators, the two B
     * vectors and a broadcast in registers; blocks of 12 accumulators or more fed by 3 or more
     * broadcasts run at half speed, as C2 hoists the broadcasts and spills (the blocks measured:
     * docs/kernels.md, "Register blocking by vector width").
     */
    private static void kernel5(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc,
                                int rows, int cols, boolean accumulate, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        // The A index as the loop's counter (B's follows it): with p counting and both indices
        // derived from it, C2 kept the range checks in the loop (docs/kernels.md).
        for (int ap = aOff, bq = bOff, end = aOff + 5 * kc; ap < end; ap += 5, bq += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bq);
            FloatVector b1 = FloatVector.fromArray(S, b, bq + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap + 0]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c40 = b0.fma(a4, c40);
            c41 = b1.fma(a4, c41);
        }
        if (rows == 5 && cols == NR) {
            if (accumulate) {
                c00 = c00.add(FloatVector.fromArray(S, c, cOff + 0 * ldc));
                c01 = c01.add(FloatVector.fromArray(S, c, cOff + 0 * ldc + L));
                c10 = c10.add(FloatVector.fromArray(S, c, cOff + 1 * ldc));
                c11 = c11.add(FloatVector.fromArray(S, c, cOff + 1 * ldc + L));
                c20 = c20.add(FloatVector.fromArray(S, c, cOff + 2 * ldc));
                c21 = c21.add(FloatVector.fromArray(S, c, cOff + 2 * ldc + L));
                c30 = c30.add(FloatVector.fromArray(S, c, cOff + 3 * ldc));
                c31 = c31.add(FloatVector.fromArray(S, c, cOff + 3 * ldc + L));
                c40 = c40.add(FloatVector.fromArray(S, c, cOff + 4 * ldc));
                c41 = c41.add(FloatVector.fromArray(S, c, cOff + 4 * ldc + L));
            }
            c00.intoArray(c, cOff + 0 * ldc);
            c01.intoArray(c, cOff + 0 * ldc + L);
            c10.intoArray(c, cOff + 1 * ldc);
            c11.intoArray(c, cOff + 1 * ldc + L);
            c20.intoArray(c, cOff + 2 * ldc);
            c21.intoArray(c, cOff + 2 * ldc + L);
            c30.intoArray(c, cOff + 3 * ldc);
            c31.intoArray(c, cOff + 3 * ldc + L);
            c40.intoArray(c, cOff + 4 * ldc);
            c41.intoArray(c, cOff + 4 * ldc + L);
            return;
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        storeEdge(tile, c, cOff, ldc, rows, cols, accumulate);
    }

    /** The rows x cols corner of an edge tile (MR x NR in {@code tile}) into C, added or stored. */
    private static void storeEdge(float[] tile, float[] c, int cOff, int ldc, int rows, int cols, boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            int d = cOff + r * ldc;
            for (int j = 0; j < cols; j++) c[d + j] = accumulate ? c[d + j] + tile[r * NR + j] : tile[r * NR + j];
        }
    }
}
