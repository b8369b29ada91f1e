package io.cnnc.kernels.backward;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A tensor large enough to be cut into chunks on the team is updated to the same bits as the
 * rules' formulas element by element here (PyTorch's: OptimizerTest holds them to torch.optim).
 */
class OptimizerUpdatesTest {

    private static final int N = 200_003;

    @Test
    void sgdWithNesterovMomentumOverChunksIsTheFormula() {
        Random r = new Random(1);
        float[] p = random(r), g = random(r), buf = random(r);
        float[] p2 = p.clone(), buf2 = buf.clone();
        OptimizerUpdates.sgd(p, g, buf, false, 0.9, 5e-4, true, 0.05);
        for (int i = 0; i < N; i++) {
            double d = g[i] + 5e-4 * p2[i];
            buf2[i] = (float) (0.9 * buf2[i] + d);
            d = d + 0.9 * buf2[i];
            p2[i] -= (float) (0.05 * d);
        }
        assertThat(java.util.Arrays.equals(p, p2)).as("parameters").isTrue();
        assertThat(java.util.Arrays.equals(buf, buf2)).as("momentum").isTrue();
    }

    @Test
    void adamWOverChunksIsTheFormula() {
        Random r = new Random(2);
        float[] p = random(r), g = random(r), m = random(r), v = random(r);
        for (int i = 0; i < N; i++) v[i] = Math.abs(v[i]);
        float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
        OptimizerUpdates.adam(p, g, m, v, 3, 0.9, 0.999, 1e-8, 0.01, true, 1e-3);
        double c1 = 1 - Math.pow(0.9, 3), c2 = 1 - Math.pow(0.999, 3);
        for (int i = 0; i < N; i++) {
            p2[i] -= (float) (1e-3 * 0.01 * p2[i]);
            m2[i] = (float) (0.9 * m2[i] + (1 - 0.9) * g[i]);
            v2[i] = (float) (0.999 * v2[i] + (1 - 0.999) * g[i] * (double) g[i]);
            p2[i] -= (float) (1e-3 * (m2[i] / c1) / (Math.sqrt(v2[i] / c2) + 1e-8));
        }
        assertThat(java.util.Arrays.equals(p, p2)).as("parameters").isTrue();
        assertThat(java.util.Arrays.equals(m, m2)).as("first moments").isTrue();
        assertThat(java.util.Arrays.equals(v, v2)).as("second moments").isTrue();
    }

    private static float[] random(Random r) {
        float[] a = new float[N];
        for (int i = 0; i < N; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
