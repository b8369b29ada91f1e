package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The channel slice's reference and fast forward against the definition, and its gradient: dy in the slice's channels, 0 elsewhere. */
class ChannelSliceTest {

    @Test
    void kernelsMatchTheDefinition() {
        int batch = 3, channels = 7, spatial = 5, start = 2, end = 6;
        float[] x = new float[batch * channels * spatial];
        for (int i = 0; i < x.length; i++) x[i] = i * 0.5f - 3;
        float[] want = new float[batch * (end - start) * spatial];
        int k = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = start; c < end; c++) for (int s = 0; s < spatial; s++) want[k++] = x[(n * channels + c) * spatial + s];
        }
        float[] ref = new float[want.length];
        ChannelSlice.reference(x, batch, channels, start, end, spatial, ref);
        float[] fast = new float[want.length];
        ChannelSlice.forward(x, batch, channels, start, end, spatial, fast, Parallel.of(2));
        assertThat(ref).containsExactly(want);
        assertThat(fast).containsExactly(want);
        float[] dx = new float[x.length];
        java.util.Arrays.fill(dx, Float.NaN);
        ChannelSlice.backward(want, batch, channels, start, end, spatial, dx);
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int s = 0; s < spatial; s++) {
                    int i = (n * channels + c) * spatial + s;
                    assertThat(dx[i]).as("dx[%d][%d][%d]", n, c, s).isEqualTo(c >= start && c < end ? x[i] : 0f);
                }
            }
        }
    }
}
