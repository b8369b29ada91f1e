package io.cnnc.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void warmupThenCosineToZero() {
        LearningRateSchedule s = new LearningRateSchedule("cosine", 0.1, 1, 0, 0, 5, 10);
        assertThat(s.at(0, 0)).isCloseTo(0.01, within(1e-12));      // 1/10 of the way through warm-up
        assertThat(s.at(0, 9)).isCloseTo(0.1, within(1e-12));       // warm-up reaches the base rate
        assertThat(s.at(3, 0)).isCloseTo(0.05, within(1e-12));      // halfway through the 4 cosine epochs
        assertThat(s.at(4, 9)).isLessThan(0.001);                     // nearly zero at the end
    }

    @Test
    void stepDecay() {
        LearningRateSchedule s = new LearningRateSchedule("step", 1, 0, 2, 0.1, 6, 5);
        assertThat(s.at(1, 4)).isEqualTo(1);
        assertThat(s.at(2, 0)).isCloseTo(0.1, within(1e-12));
        assertThat(s.at(5, 0)).isCloseTo(0.01, within(1e-12));
    }
}
