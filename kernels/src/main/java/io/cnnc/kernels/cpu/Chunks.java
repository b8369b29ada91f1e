package io.cnnc.kernels.cpu;

/**
 * Splits {@code [0, n)} into contiguous ranges for a {@link Parallel}. Small loops stay on the
 * caller's thread: waking the team costs a fraction of a microsecond, but the cache lines a
 * second core has to pull over cost more than a few thousand elements of work. The split
 * only decides who computes an element, never how, so results do not depend on it.
 */
final class Chunks {

    /** A range body: {@code [from, to)}. */
    interface RangeBody {
        void run(int from, int to);
    }

    private Chunks() {}

    /**
     * Runs {@code body} over ranges covering {@code [0, n)}; each range but the last is a multiple of
     * {@code align} long and none is shorter than {@code minChunk} unless n is.
     */
    static void forRanges(Parallel p, int n, int minChunk, int align, RangeBody body) {
        if (n <= 0) return;
        // A few tasks per thread so one slow core (the machine is shared) does not hold the rest up.
        int tasks = Math.min(p.threads() * 4, Math.max(1, n / Math.max(1, minChunk)));
        if (p.threads() == 1 || tasks <= 1) {
            body.run(0, n);
            return;
        }
        int per = (n + tasks - 1) / tasks;
        int chunk = (per + align - 1) / align * align;
        int count = (n + chunk - 1) / chunk;
        p.forRange(count, t -> body.run(t * chunk, Math.min(n, (t + 1) * chunk)));
    }
}
