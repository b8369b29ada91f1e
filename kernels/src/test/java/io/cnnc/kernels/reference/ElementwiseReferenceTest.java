package io.cnnc.kernels.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Add, multiply, concat and copy: no rounding beyond one float operation, so everything is exact. */
class ElementwiseReferenceTest {

    @Test
    void addByHand() {
        float[] y = new float[3];
        AddReference.forward(new float[] {1, -2, 0.5f}, new float[] {10, 2, 0.25f}, y);
        assertThat(y).containsExactly(11f, 0f, 0.75f);
        float[] a = {1, 2};
        AddReference.forward(a, new float[] {3, 4}, a);  // in place, as residual additions reuse a buffer
        assertThat(a).containsExactly(4f, 6f);
    }

    @Test
    void multiplyElementwiseAndPerChannel() {
        float[] y = new float[4];
        MulReference.forward(new float[] {1, 2, 3, 4}, new float[] {2, -1, 0.5f, 0}, 1, 2, 2, false, y);
        assertThat(y).containsExactly(2f, -2f, 1.5f, 0f);
        // b = [N=2, C=2, 1, 1] = (10, 100 | -1, 0.5): every position of (n, c) is multiplied by b[n, c].
        float[] m = new float[8];
        MulReference.forward(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new float[] {10, 100, -1, 0.5f}, 2, 2, 2, true, m);
        assertThat(m).containsExactly(10, 20, 300, 400, -5, -6, 3.5f, 4);
    }

    @Test
    void concatJoinsChannelsSampleBySample() {
        // Sample 0 takes input 0's channel (1,2) then input 1's two channels (5,6),(7,8); sample 1 likewise.
        float[] y = new float[2 * 3 * 2];
        ConcatReference.channels(new float[][] {{1, 2, 3, 4}, {5, 6, 7, 8, 9, 10, 11, 12}}, new int[] {1, 2}, 2, 2, y);
        assertThat(y).containsExactly(1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12);
    }

    @Test
    void copyIsIdentity() {
        float[] x = {1, -0f, Float.NaN, 3};
        float[] y = new float[4];
        CopyReference.forward(x, y);
        assertThat(y).containsExactly(x);
    }
}
