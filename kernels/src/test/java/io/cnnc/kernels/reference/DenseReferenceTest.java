package io.cnnc.kernels.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DenseReferenceTest {

    @Test
    void byHand() {
        // W = [[1,0,-1],[2,2,2]], b = [0.5,-1]; sample [1,2,3] -> [1-3+0.5, 2+4+6-1] = [-1.5, 11],
        // sample [0,-1,4] -> [0-4+0.5, 0-2+8-1] = [-3.5, 5]. Weight rows are PyTorch's [units, inFeatures].
        float[] w = {1, 0, -1, 2, 2, 2};
        float[] y = new float[4];
        DenseReference.forward(new float[] {1, 2, 3, 0, -1, 4}, 2, 3, 2, w, new float[] {0.5f, -1}, y);
        assertThat(y).containsExactly(-1.5f, 11f, -3.5f, 5f);
        DenseReference.forward(new float[] {1, 2, 3, 0, -1, 4}, 2, 3, 2, w, null, y);
        assertThat(y).containsExactly(-2f, 12f, -4f, 6f);
    }

    @Test
    void accumulatesInDouble() {
        // 1e8 + 1 - 1e8 in float order gives 0 (1e8 + 1 rounds back to 1e8); the double sum keeps the 1.
        float[] y = new float[1];
        DenseReference.forward(new float[] {1e8f, 1, -1e8f}, 1, 3, 1, new float[] {1, 1, 1}, null, y);
        assertThat(y[0]).isEqualTo(1f);
    }
}
