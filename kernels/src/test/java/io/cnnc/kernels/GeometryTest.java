package io.cnnc.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GeometryTest {

    @Test
    void convSizesAndMacs() {
        // ResNet-50 stem: 3 -> 64, 7x7 stride 2 pad 3 on 224: 112x112, 64 * 112 * 112 * 3 * 49 MACs = 118,013,952.
        ConvGeometry stem = new ConvGeometry(3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1);
        assertThat(stem.outH()).isEqualTo(112);
        assertThat(stem.outW()).isEqualTo(112);
        assertThat(stem.macsPerSample()).isEqualTo(118_013_952L);
        // Depthwise 3x3 on 32 channels, multiplier 2, 10x10 'same': each of 64 outputs reads one channel: 64*100*9.
        ConvGeometry dw = new ConvGeometry(32, 10, 10, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32);
        assertThat(dw.macsPerSample()).isEqualTo(57_600L);
        // Asymmetric padding and rectangular everything: H: floor((9+0+2-2*(3-1)-1)/2)+1 = 4, W: floor((8+1+0-1-1)/3)+1 = 3.
        ConvGeometry odd = new ConvGeometry(2, 9, 8, 4, 3, 2, 2, 3, 0, 1, 2, 0, 2, 1, 2);
        assertThat(odd.outH()).isEqualTo(4);
        assertThat(odd.outW()).isEqualTo(3);
        assertThat(odd.macsPerSample()).isEqualTo(4L * 4 * 3 * 1 * 3 * 2);
    }

    @Test
    void convRejectsImpossibleGeometryWithAReadableMessage() {
        assertThatThrownBy(() -> new ConvGeometry(6, 8, 8, 4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("input channels 6 are not divisible by groups 4");
        assertThatThrownBy(() -> new ConvGeometry(8, 8, 8, 6, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("output channels 6 are not divisible by groups 4");
        assertThatThrownBy(() -> new ConvGeometry(3, 8, 8, 4, 3, 3, 0, 1, 0, 0, 0, 0, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("stride height must be at least 1, got 0");
        assertThatThrownBy(() -> new ConvGeometry(3, 8, 8, 4, 3, 3, 1, 1, 0, -1, 0, 0, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("left padding must not be negative, got -1");
        assertThatThrownBy(() -> new ConvGeometry(3, 4, 4, 4, 3, 3, 1, 1, 0, 0, 0, 0, 2, 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("convolution output would be 0x0: input 4x4");
    }

    @Test
    void poolSizesAndValidation() {
        PoolGeometry googlenet = new PoolGeometry(64, 112, 112, 3, 3, 2, 2, 0, 0, 0, 0, true);
        assertThat(googlenet.outH()).isEqualTo(56);
        PoolGeometry asymmetric = new PoolGeometry(1, 7, 6, 2, 2, 2, 2, 0, 0, 1, 1, false);  // TF-style 'same'
        assertThat(asymmetric.outH()).isEqualTo(4);
        assertThat(asymmetric.outW()).isEqualTo(3);
        assertThatThrownBy(() -> new PoolGeometry(1, 2, 2, 3, 3, 1, 1, 0, 0, 0, 0, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pooling output would be 0x0");
        assertThatThrownBy(() -> new PoolGeometry(0, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("channels must be at least 1, got 0");
    }
}
