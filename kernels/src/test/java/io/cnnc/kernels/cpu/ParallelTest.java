package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyTaskRunsExactlyOnceEveryTime() {
        Parallel p = Parallel.of(3);
        for (int round = 0; round < 2000; round++) {
            int tasks = 1 + round % 17;
            AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
            p.forRange(tasks, runs::incrementAndGet);
            for (int t = 0; t < tasks; t++) assertThat(runs.get(t)).as("round %d task %d", round, t).isEqualTo(1);
        }
    }

    /**
     * Tasks 0 and 2 of 4 on 2 threads each wait until the other has started, so they run on
     * different threads. The shares are [0, 2) for the caller and [2, 4) for the worker, each
     * started at its beginning: the caller's first task is 0 and the worker's is 2 (first come,
     * first served would give the worker task 1).
     */
    @Test
    void eachThreadStartsWithItsOwnShare() throws Exception {
        Parallel p = Parallel.of(2);
        for (int round = 0; round < 50; round++) {
            CountDownLatch zero = new CountDownLatch(1), two = new CountDownLatch(1);
            Map<Thread, Integer> firstTask = new ConcurrentHashMap<>();
            p.forRange(4, t -> {
                firstTask.putIfAbsent(Thread.currentThread(), t);
                if (t == 0) meet(zero, two);
                if (t == 2) meet(two, zero);
            });
            Thread caller = Thread.currentThread();
            assertThat(firstTask.get(caller)).as("round %d: caller", round).isZero();
            assertThat(firstTask.entrySet()).as("round %d", round).hasSize(2)
                    .allSatisfy(e -> assertThat(e.getValue()).isEqualTo(e.getKey() == caller ? 0 : 2));
        }
    }

    private static void meet(CountDownLatch mine, CountDownLatch other) {
        mine.countDown();
        try {
            assertThat(other.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aNestedLoopRunsInlineInsteadOfDeadlocking() {
        Parallel p = Parallel.of(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(16);
        p.forRange(4, outer -> p.forRange(4, inner -> runs.incrementAndGet(outer * 4 + inner)));
        for (int i = 0; i < 16; i++) assertThat(runs.get(i)).isEqualTo(1);
    }

    @Test
    void aFailingTaskFailsTheLoopAndLeavesTheTeamUsable() {
        Parallel p = Parallel.of(2);
        assertThatThrownBy(() -> p.forRange(8, t -> {
            if (t == 5) throw new IllegalArgumentException("task 5");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("task 5");
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        p.forRange(8, runs::incrementAndGet);
        for (int i = 0; i < 8; i++) assertThat(runs.get(i)).isEqualTo(1);
    }
}
