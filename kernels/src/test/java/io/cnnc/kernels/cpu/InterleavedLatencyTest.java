package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bookkeeping of alternating rounds; how fast anything is, it does not assert (benchmarks measure that). */
class InterleavedLatencyTest {

    @Test
    void everyRoundTimesEveryCallAndTheFirstIsTheUnitOfTheRatios() {
        AtomicInteger a = new AtomicInteger(), b = new AtomicInteger();
        InterleavedLatency il = InterleavedLatency.measure(List.of(a::incrementAndGet, b::incrementAndGet), 0.05);
        assertThat(il.rounds()).isGreaterThanOrEqualTo(7);
        assertThat(il.each()).hasSize(2);
        assertThat(il.ratiosToFirst().getFirst()).containsOnly(1.0);
        assertThat(il.ratiosToFirst().get(1)).hasSize(il.rounds()).isSorted();
        assertThat(il.ratioRange(1)[0]).isPositive();
        assertThat(il.ratioRange(1)[0]).isLessThanOrEqualTo(il.ratioToFirst(1)).isLessThanOrEqualTo(il.ratioRange(1)[1]);
        // At least 3 timed calls per round each, on top of the warm-up's calls.
        assertThat(il.each().get(1).calls()).isGreaterThanOrEqualTo(3 * il.rounds());
        assertThat(b.get()).isGreaterThan(il.each().get(1).calls());
    }

    @Test
    void refusesNothingToTime() {
        assertThatThrownBy(() -> InterleavedLatency.measure(List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
