package io.cnnc.kernels.cpu;

import java.util.Arrays;

/**
 * Picks one of two ways of running the same computation by timing both where it runs, as
 * cuDNN's benchmark mode picks an algorithm at a layer's first calls: after {@link #SKIPPED}
 * calls (the JIT compiles the code both ways share), the calls alternate between the ways for
 * {@link #PAIRS} pairs, and the way with the lower first quartile of its times is kept from then
 * on. Alternating gives both ways the same JIT state and the same neighbours' noise; timing in
 * place sees the caches as the network leaves them, which a layer timed alone does not. Noise
 * only ever adds time (the JIT's own threads, a preempted core), so the quartile, not the
 * median: with 32 skipped calls and medians, a 256->256 @14 layer on 2 threads kept the slower
 * way in 1 of 4 runs (0.575 ms against 0.47-0.49).
 *
 * <p>Only for ways that give the same result bit for bit, so that the choice changes speed and
 * nothing else. One caller at a time, like the kernel that owns it.
 */
public final class FasterOfTwo {

    public static final int SKIPPED = 64;
    public static final int PAIRS = 24;

    private final long[][] nanos = new long[2][PAIRS];
    private int calls;
    private int chosen = -1;

    /** The way (0 or 1) to run this call: alternating while deciding, then the faster. */
    public int next() {
        return chosen >= 0 ? chosen : calls & 1;
    }

    public boolean deciding() {
        return chosen < 0;
    }

    /** Records that this call, run {@code way} (as {@link #next()} said), took {@code nanos}. */
    public void took(int way, long nanos) {
        if (chosen >= 0) return;
        int sample = (calls - SKIPPED) / 2;
        if (calls >= SKIPPED) this.nanos[way][sample] = nanos;
        calls++;
        if (calls == SKIPPED + 2 * PAIRS) chosen = firstQuartile(this.nanos[1]) < firstQuartile(this.nanos[0]) ? 1 : 0;
    }

    /** The way kept, or -1 while deciding. */
    public int chosen() {
        return chosen;
    }

    private static long firstQuartile(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        return s[s.length / 4];
    }
}
