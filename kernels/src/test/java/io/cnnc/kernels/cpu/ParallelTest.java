package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
