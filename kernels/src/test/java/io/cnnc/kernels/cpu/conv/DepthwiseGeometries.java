package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.ConvGeometry;
import java.util.List;

/**
 * Depthwise layers the depthwise gradients are checked on: strides 1 and 2, odd and even planes,
 * planes narrower than a vector and wider, asymmetric pads, a 5x5 and a 3x1 kernel, a channel
 * multiplier of 2, and right and bottom edges no tap reaches.
 */
public final class DepthwiseGeometries {

    private DepthwiseGeometries() {}

    public static List<ConvGeometry> all() {
        return List.of(
                new ConvGeometry(8, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8),
                new ConvGeometry(12, 32, 32, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 12),
                new ConvGeometry(12, 32, 32, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 12),
                new ConvGeometry(6, 17, 15, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 6),
                new ConvGeometry(6, 16, 16, 6, 3, 3, 2, 2, 1, 0, 1, 0, 1, 1, 6),
                new ConvGeometry(5, 4, 4, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(5, 4, 4, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5),
                new ConvGeometry(4, 11, 9, 4, 5, 5, 1, 1, 2, 2, 1, 3, 1, 1, 4),
                new ConvGeometry(4, 11, 9, 4, 5, 5, 2, 2, 2, 2, 1, 3, 1, 1, 4),
                new ConvGeometry(4, 10, 10, 8, 3, 1, 2, 1, 1, 1, 0, 0, 1, 1, 4),
                new ConvGeometry(3, 16, 16, 3, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 3));
    }
}
