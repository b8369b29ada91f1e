package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelShuffleTest {

    /** Small planes, sizes large enough to be shared over threads, and groups 1 and C (the identity). */
    @ParameterizedTest
    @CsvSource({"1, 6, 3, 1", "3, 12, 4, 15", "2, 24, 2, 3136", "4, 116, 2, 784", "2, 8, 1, 9", "2, 8, 8, 9", "1, 1, 1, 1"})
    void fastForwardEqualsTheReferenceExactly(int batch, int channels, int groups, int spatial) {
        float[] x = FastArrays.random(batch * channels * spatial, channels * 31L + groups);
        float[] want = new float[x.length];
        ChannelShuffle.reference(x, batch, channels, groups, spatial, want);
        for (int threads : new int[] {1, 2, 3}) {
            float[] got = new float[x.length];
            ChannelShuffle.forward(x, batch, channels, groups, spatial, got, Parallel.of(threads));
            FastArrays.assertIdentical(got, want, String.format("b%d c%d g%d s%d threads %d", batch, channels, groups, spatial, threads));
        }
    }

    @ParameterizedTest
    @CsvSource({"2, 6, 3, 5", "1, 12, 4, 2", "2, 5, 1, 3", "1, 4, 4, 1"})
    void backwardUndoesTheForwardAndIsTheShuffleWithCOverGGroups(int batch, int channels, int groups, int spatial) {
        float[] x = FastArrays.random(batch * channels * spatial, 7);
        float[] y = new float[x.length];
        ChannelShuffle.reference(x, batch, channels, groups, spatial, y);
        float[] back = new float[x.length];
        ChannelShuffle.backward(y, batch, channels, groups, spatial, back);
        assertThat(back).containsExactly(x);
        float[] inverse = new float[x.length];
        ChannelShuffle.reference(y, batch, channels, channels / groups, spatial, inverse);
        assertThat(inverse).containsExactly(x);
    }

    @Test
    void outputChannelIGroupsPlusJIsInputChannelJTimesCOverGPlusI() {
        // C = 6, groups = 2: output channels read input channels 0, 3, 1, 4, 2, 5 (PyTorch's order).
        int[] sources = new int[6];
        for (int c = 0; c < 6; c++) sources[c] = ChannelShuffle.source(c, 6, 2);
        assertThat(sources).containsExactly(0, 3, 1, 4, 2, 5);
    }
}
