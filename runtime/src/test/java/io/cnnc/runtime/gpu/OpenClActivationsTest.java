package io.cnnc.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.backward.ActivationBackward;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.ActivationReference;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every activation's GPU forward and derivative on the device (PoCL here) against the double
 * reference, so a new activation's C is run, not only compiled. Tolerance 2e-5 * (1 + |want|):
 * OpenCL's exp, log, tanh and erf are allowed several ulps, and log(1 + e^v) for mish loses
 * the rounding of 1 + e^v for negative v, about 1e-7 absolute.
 */
class OpenClActivationsTest {

    private static final float ALPHA = 0.1f;

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void forwardAndDerivativeMatchTheReference(ActivationKind kind) {
        Random r = new Random(3);
        float[] x = new float[301];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 16 - 8;
        float[] dy = new float[x.length];
        for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();
        // Away from the kinks, where float and double may fall on different sides.
        for (int i = 0; i < x.length; i++) for (float kink : new float[] {0, 6, -3, 3}) if (Math.abs(x[i] - kink) < 1e-3f) x[i] += 0.01f;

        LaunchRunner run = new LaunchRunner(OpenClTestDevice.get());
        int bx = run.buffer(x), by = run.buffer(new float[x.length]);
        float[] y = run.run(List.of(LayerLaunches.activation(bx, by, x.length, GpuActivation.code(kind), ALPHA))).get(by);
        float[] want = new float[x.length];
        ActivationReference.forward(kind, ALPHA, x, want);
        assertClose(y, want, kind + " forward");

        LaunchRunner back = new LaunchRunner(OpenClTestDevice.get());
        int gx = back.buffer(x), gdy = back.buffer(dy), gdx = back.buffer(new float[x.length]);
        float[] dx = back.run(List.of(TrainingLaunches.activationBackward(gx, gdy, gdx, x.length, GpuActivation.code(kind), ALPHA, 0f))).get(gdx);
        float[] wantDx = new float[x.length];
        ActivationBackward.backward(kind, ALPHA, x, dy, wantDx);
        assertClose(dx, wantDx, kind + " derivative");
    }

    private static void assertClose(float[] got, float[] want, String what) {
        for (int i = 0; i < want.length; i++) {
            double tol = 2e-5 * (1 + Math.abs(want[i]));
            if (Math.abs(got[i] - (double) want[i]) > tol) {
                assertThat((double) got[i]).as("%s at %d", what, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol));
            }
        }
    }
}
