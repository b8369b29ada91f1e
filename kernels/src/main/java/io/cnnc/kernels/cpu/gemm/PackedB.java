package io.cnnc.kernels.cpu.gemm;

/**
 * The right-hand matrix B [k x n] packed once (e.g. transposed conv weights), in exactly the
 * layout {@link BPanels#pack} writes for each block of {@link PackedGemm#KC} rows: the block of
 * rows {@code [p0, p0+kc)} starts at {@code offset + p0 * nPadded} and holds panel q (columns
 * {@code q*NR..}) at {@code + q*kc*NR}, row p at {@code + p*NR}, columns past n zero. The
 * product reads its panels in place, with no copy per call.
 */
public record PackedB(float[] data, int offset, int k, int n) {

    /** Columns rounded up to whole panels. */
    public int nPadded() {
        return PackedGemm.roundUp(n, PackedGemm.NR);
    }

    /** Packs B stored row-major at {@code b[off + p*ldb + j]}, from a cache line of its own (see {@link io.cnnc.kernels.cpu.AlignedFloats}). */
    public static PackedB of(float[] b, int off, int k, int n, int ldb) {
        int nr = PackedGemm.NR;
        int np = PackedGemm.roundUp(n, nr);
        io.cnnc.kernels.cpu.AlignedFloats.Slice slice = io.cnnc.kernels.cpu.AlignedFloats.allocate(k * np);
        float[] data = slice.array();
        int at = slice.offset();
        for (int p0 = 0; p0 < k; p0 += PackedGemm.KC) {
            int kc = Math.min(PackedGemm.KC, k - p0);
            for (int p = 0; p < kc; p++) {
                for (int j = 0; j < n; j++) data[at + p0 * np + j / nr * kc * nr + p * nr + j % nr] = b[off + (p0 + p) * ldb + j];
            }
        }
        return new PackedB(data, at, k, n);
    }

    /** Offset of the panel holding column {@code j} (a multiple of NR) in the KC block starting at row {@code p0}. */
    int panelOffset(int p0, int j) {
        int kc = Math.min(PackedGemm.KC, k - p0);
        return offset + p0 * nPadded() + j / PackedGemm.NR * kc * PackedGemm.NR;
    }
}
