package io.cnnc.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The size formulas, by hand; the PyTorch fixtures check them again against PyTorch's own shapes. */
class OutputSizeTest {

    @Test
    void convFormula() {
        assertThat(OutputSize.conv(224, 7, 2, 3, 3, 1)).isEqualTo(112);  // ResNet stem: floor(229/2) + 1
        assertThat(OutputSize.conv(5, 3, 1, 0, 0, 2)).isEqualTo(1);      // dilation 2: effective kernel 5
        assertThat(OutputSize.conv(7, 3, 2, 0, 1, 1)).isEqualTo(3);      // asymmetric: floor((7+1-3)/2) + 1
        assertThat(OutputSize.conv(4, 5, 1, 0, 0, 1)).isEqualTo(0);      // too small: floor(-1/1) + 1 = 0
        assertThat(OutputSize.conv(2, 5, 2, 0, 0, 1)).isEqualTo(0);      // floor(-3/2) + 1 = -1, reported as 0
    }

    @Test
    void poolFloorMode() {
        assertThat(OutputSize.pool(112, 3, 2, 0, 0, false)).isEqualTo(55);
        assertThat(OutputSize.pool(112, 3, 2, 1, 1, false)).isEqualTo(56);  // ResNet's max pool
        assertThat(OutputSize.pool(2, 3, 2, 0, 0, false)).isEqualTo(0);
    }

    @Test
    void poolCeilModeFollowsPyTorch() {
        assertThat(OutputSize.pool(112, 3, 2, 0, 0, true)).isEqualTo(56);  // GoogLeNet: ceil(109/2) + 1
        // in=5, k=2, s=2, pad=1: ceil((5+2-2)/2)+1 = 4 windows would start at input rows -1, 1, 3, 5; the
        // last lies wholly in the bottom padding ((4-1)*2 = 6 >= in + pad = 6), so it is dropped: 3.
        assertThat(OutputSize.pool(5, 2, 2, 1, 1, true)).isEqualTo(3);
        // in=4, k=2, s=2, pad=1: ceil(4/2)+1 = 3; (3-1)*2 = 4 >= 4+1? no -> 3.
        assertThat(OutputSize.pool(4, 2, 2, 1, 1, true)).isEqualTo(3);
        // in=6, k=3, s=3, pad=0: ceil(3/3)+1 = 2; (2-1)*3 = 3 < 6 -> 2.
        assertThat(OutputSize.pool(6, 3, 3, 0, 0, true)).isEqualTo(2);
        // in=7, k=3, s=3: ceil(4/3)+1 = 3; the last window starts at 6 < 7 -> kept (it sees one column).
        assertThat(OutputSize.pool(7, 3, 3, 0, 0, true)).isEqualTo(3);
        // in=5, k=3, s=3, pad=1: ceil(4/3)+1 = 3, but (3-1)*3 = 6 >= 5+1: the third window would see
        // only the bottom padding, so it is dropped -> 2 (also a PyTorch fixture case).
        assertThat(OutputSize.pool(5, 3, 3, 1, 1, true)).isEqualTo(2);
    }

    @Test
    void poolCeilModeWithAWindowLargerThanTheInput() {
        // PyTorch rounds (in + pads - k + stride - 1) / stride toward minus infinity: in 2, k 3, stride 2 gives
        // floor(0/2) + 1 = 1 window (max_pool2d(2x2, 3, 2, ceil_mode=True) is 1x1), stride 1 gives floor(-1/1) + 1 = 0.
        assertThat(OutputSize.pool(2, 3, 2, 0, 0, true)).isEqualTo(1);
        assertThat(OutputSize.pool(2, 3, 1, 0, 0, true)).isEqualTo(0);
        assertThat(OutputSize.pool(2, 4, 3, 0, 0, true)).isEqualTo(1);
    }

    @Test
    void hugeSizesDoNotWrap() {
        assertThat(OutputSize.conv(Integer.MAX_VALUE, 1, 1, Integer.MAX_VALUE, Integer.MAX_VALUE, 1)).isEqualTo(Integer.MAX_VALUE);
        assertThat(OutputSize.conv(1, Integer.MAX_VALUE, 1, 0, 0, Integer.MAX_VALUE)).isEqualTo(0);
    }
}
