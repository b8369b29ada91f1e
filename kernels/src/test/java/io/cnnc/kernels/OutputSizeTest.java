package io.cnnc.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutputSizeTest {

    @Test
    void convFormula() {
        assertThat(OutputSize.conv(224, 7, 2, 3, 3, 1)).isEqualTo(112);   // ResNet stem
        assertThat(OutputSize.conv(5, 3, 1, 0, 0, 2)).isEqualTo(1);       // dilation 2: effective kernel 5
        assertThat(OutputSize.conv(4, 5, 1, 0, 0, 1)).isEqualTo(0);       // too small
    }

    @Test
    void poolCeilModeFollowsPyTorch() {
        assertThat(OutputSize.pool(112, 3, 2, 0, 0, true)).isEqualTo(56);  // GoogLeNet: ceil((112-3)/2)+1
        assertThat(OutputSize.pool(112, 3, 2, 0, 0, false)).isEqualTo(55);
        // in=5, k=2, s=2, pad=1: ceil(4/2)+1 = 3 windows start at -1, 1, 3: all inside input+left pad, kept.
        assertThat(OutputSize.pool(5, 2, 2, 1, 1, true)).isEqualTo(3);
        // in=4, k=2, s=2, pad=1: ceil(4/2)+1 = 3, but the last window starts at 4-1=3... (3-1)*2=4 >= 4+1? no -> 3.
        assertThat(OutputSize.pool(4, 2, 2, 1, 1, true)).isEqualTo(3);
        // in=6, k=3, s=3, pad=0: ceil(3/3)+1 = 2; (2-1)*3=3 < 6 -> 2.
        assertThat(OutputSize.pool(6, 3, 3, 0, 0, true)).isEqualTo(2);
        // in=7, k=3, s=3: ceil(4/3)+1 = 3; last window starts at 6 < 7 -> kept.
        assertThat(OutputSize.pool(7, 3, 3, 0, 0, true)).isEqualTo(3);
    }
}
