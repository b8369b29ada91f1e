package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FastestWayTest {

    /** Runs calls until decided, way w timing {@code times[w]} ns, and {@code early[w]} in the skipped calls. */
    private static FastestWay decide(long[] times, long[] early) {
        FastestWay f = new FastestWay(times.length);
        for (int call = 0; f.deciding(); call++) {
            int way = f.next();
            assertThat(way).as("call %d goes round", call).isEqualTo(call % times.length);
            f.took(way, call < FastestWay.SKIPPED ? early[way] : times[way]);
            assertThat(call).isLessThan(f.callsToDecide());
        }
        return f;
    }

    @Test
    void keepsTheFastestWayOnceDecided() {
        FastestWay f = decide(new long[] {500, 400}, new long[] {500, 400});
        assertThat(f.chosen()).isEqualTo(1);
        for (int i = 0; i < 5; i++) assertThat(f.next()).isEqualTo(1);
        assertThat(decide(new long[] {400, 500}, new long[] {400, 500}).chosen()).isZero();
        assertThat(decide(new long[] {500, 450, 300, 600}, new long[] {1, 1, 1, 1}).chosen()).isEqualTo(2);
    }

    @Test
    void ignoresTheCallsBeforeTheJitHasCompiled() {
        // Way 1 slow while interpreted, faster once compiled: the early calls must not count.
        assertThat(decide(new long[] {500, 400}, new long[] {1_000, 90_000}).chosen()).isEqualTo(1);
    }

    @Test
    void aFewOutliersDoNotDecide() {
        FastestWay f = new FastestWay(2);
        for (int call = 0; f.deciding(); call++) {
            int way = f.next();
            // Way 0 is faster, but a fifth of its timed calls hit a 100x stall (a preempted core).
            int round = (call - FastestWay.SKIPPED) / 2;
            boolean stalled = way == 0 && call >= FastestWay.SKIPPED && round % 5 == 0;
            f.took(way, stalled ? 40_000 : way == 0 ? 400 : 500);
        }
        assertThat(f.chosen()).isZero();
    }

    @Test
    void oneWayNeedsNoDeciding() {
        FastestWay f = new FastestWay(1);
        assertThat(f.deciding()).isFalse();
        assertThat(f.next()).isZero();
    }
}
