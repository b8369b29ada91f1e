package io.cnnc.kernels.cpu;

import java.util.Arrays;

/**
 * Picks one of a few ways of running the same computation by timing them where it runs, as
 * cuDNN's benchmark mode picks an algorithm at a layer's first calls: after {@link #SKIPPED}
 * calls (the JIT compiles the code the ways share), the calls go round the ways for
 * {@link #SAMPLES} rounds, and the way with the lowest first quartile of its times is kept from
 * then on. Going round gives every way the same JIT state and the same neighbours' noise; timing
 * in place sees the caches as the network leaves them, which a layer timed alone does not. Noise
 * only ever adds time (the JIT's own threads, a preempted core), so the quartile, not the
 * median, which sometimes kept the slower way (docs/kernels.md, Winograd on NCHW16c).
 *
 * <p>Only for ways that give the same result bit for bit, so that the choice changes speed and
 * nothing else. One caller at a time, like the kernel that owns it.
 */
public final class FastestWay {

    public static final int SKIPPED = 64;
    public static final int SAMPLES = 24;

    private final long[][] nanos;
    private int calls;
    private int chosen = -1;

    public FastestWay(int ways) {
        if (ways < 1) throw new IllegalArgumentException("ways must be at least 1, got " + ways);
        nanos = new long[ways][SAMPLES];
        if (ways == 1) chosen = 0;
    }

    public int ways() {
        return nanos.length;
    }

    /** The way to run this call: in turn while deciding, then the fastest. */
    public int next() {
        return chosen >= 0 ? chosen : calls % nanos.length;
    }

    public boolean deciding() {
        return chosen < 0;
    }

    /** Records that this call, run {@code way} (as {@link #next()} said), took {@code nanos}. */
    public void took(int way, long nanos) {
        if (chosen >= 0) return;
        if (calls >= SKIPPED) this.nanos[way][(calls - SKIPPED) / this.nanos.length] = nanos;
        calls++;
        if (calls == SKIPPED + this.nanos.length * SAMPLES) {
            int best = 0;
            for (int w = 1; w < this.nanos.length; w++) if (firstQuartile(this.nanos[w]) < firstQuartile(this.nanos[best])) best = w;
            chosen = best;
        }
    }

    /** The way kept, or -1 while deciding. */
    public int chosen() {
        return chosen;
    }

    /** Calls until the way is chosen, from the first. */
    public int callsToDecide() {
        return SKIPPED + nanos.length * SAMPLES;
    }

    private static long firstQuartile(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        return s[s.length / 4];
    }
}
