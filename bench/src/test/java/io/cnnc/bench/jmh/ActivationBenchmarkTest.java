package io.cnnc.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import org.junit.jupiter.api.Test;

class ActivationBenchmarkTest {

    /** Both forms of one kind run and write the output; setup's warm-up runs every kind once through both. */
    @Test
    void bothFormsRunAndAgree() {
        float[][] out = new float[2][];
        String[] impls = {"fast", "reference"};
        for (int i = 0; i < impls.length; i++) {
            ActivationBenchmark b = new ActivationBenchmark();
            b.kind = ActivationKind.MISH;
            b.impl = impls[i];
            b.setup();
            out[i] = b.forward().clone();
        }
        assertThat(out[0]).hasSize(64 * 56 * 56);
        for (int i = 0; i < out[0].length; i++) {
            if (Math.abs(out[0][i] - out[1][i]) > 1e-5 * (1 + Math.abs(out[1][i]))) assertThat(out[0][i]).as("[%d]", i).isEqualTo(out[1][i]);
        }
    }
}
