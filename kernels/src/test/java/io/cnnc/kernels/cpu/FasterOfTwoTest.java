package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FasterOfTwoTest {

    /** Runs calls until decided, timing way 0 at {@code zero} ns and way 1 at {@code one}, the skipped calls at {@code early}. */
    private static FasterOfTwo decide(long zero, long one, long earlyZero, long earlyOne) {
        FasterOfTwo f = new FasterOfTwo();
        for (int call = 0; f.deciding(); call++) {
            int way = f.next();
            assertThat(way).as("call %d alternates", call).isEqualTo(call & 1);
            boolean early = call < FasterOfTwo.SKIPPED;
            f.took(way, way == 0 ? (early ? earlyZero : zero) : (early ? earlyOne : one));
            assertThat(call).isLessThan(FasterOfTwo.SKIPPED + 2 * FasterOfTwo.PAIRS);
        }
        return f;
    }

    @Test
    void keepsTheWayWithTheLowerTimesOnceDecided() {
        FasterOfTwo f = decide(500, 400, 500, 400);
        assertThat(f.chosen()).isEqualTo(1);
        for (int i = 0; i < 5; i++) assertThat(f.next()).isEqualTo(1);
        assertThat(decide(400, 500, 400, 500).chosen()).isZero();
    }

    @Test
    void ignoresTheCallsBeforeTheJitHasCompiled() {
        // Way 1 slow while interpreted, faster once compiled: the early calls must not count.
        assertThat(decide(500, 400, 1_000, 90_000).chosen()).isEqualTo(1);
    }

    @Test
    void aFewOutliersDoNotDecide() {
        FasterOfTwo f = new FasterOfTwo();
        for (int call = 0; f.deciding(); call++) {
            int way = f.next();
            // Way 0 is faster, but a fifth of its timed calls hit a 100x stall (a preempted core).
            int pair = (call - FasterOfTwo.SKIPPED) / 2;
            boolean stalled = way == 0 && call >= FasterOfTwo.SKIPPED && pair % 5 == 0;
            f.took(way, stalled ? 40_000 : way == 0 ? 400 : 500);
        }
        assertThat(f.chosen()).isZero();
    }
}
