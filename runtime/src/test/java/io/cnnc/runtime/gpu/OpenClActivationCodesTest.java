package io.cnnc.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The activation codes at their edges on the device: code 0 passes values through (and the
 * gradient unchanged), and a code no ActivationKind has gives NaN, forward and backward, so an
 * activation missing from GpuActivation's table cannot compute the wrong thing quietly. Outputs
 * start at zero, so a NaN there was written by the kernel.
 */
class OpenClActivationCodesTest {

    private static final float[] X = {-4f, -1.5f, -0.25f, 0f, 0.5f, 2f, 7f};
    private static final float[] DY = {0.5f, -1f, 2f, 3f, -0.75f, 1.25f, 4f};

    @Test
    void codeZeroIsTheIdentity() {
        assertThat(forward(GpuActivation.NONE)).containsExactly(X);
        assertThat(backward(GpuActivation.NONE)).containsExactly(DY);
    }

    @Test
    void aCodeNoKindHasGivesNanForwardAndBackward() {
        int unknown = Arrays.stream(ActivationKind.values()).mapToInt(GpuActivation::code).max().orElseThrow() + 1;
        for (float v : forward(unknown)) assertThat(v).as("activate with code %d", unknown).isNaN();
        for (float v : backward(unknown)) assertThat(v).as("activate_grad with code %d", unknown).isNaN();
    }

    private static float[] forward(int act) {
        LaunchRunner run = new LaunchRunner(OpenClTestDevice.get());
        int x = run.buffer(X), y = run.buffer(new float[X.length]);
        return run.run(List.of(LayerLaunches.activation(x, y, X.length, act, 0.1f))).get(y);
    }

    private static float[] backward(int act) {
        LaunchRunner run = new LaunchRunner(OpenClTestDevice.get());
        int x = run.buffer(X), dy = run.buffer(DY), dx = run.buffer(new float[X.length]);
        return run.run(List.of(TrainingLaunches.activationBackward(x, dy, dx, X.length, act, 0.1f, 0f))).get(dx);
    }
}
