package io.cnnc.bench.jmh;

import io.cnnc.kernels.ConvGeometry;
import java.util.Map;

/**
 * The conv layers the benchmarks time, by the name used in {@code -p layer=...}: the shapes
 * that dominate ResNet, VGG, MobileNetV2 and LeNet. Names read kernel, stride when not 1,
 * channels in->out, @ input size; padding keeps the size ("same") except for the 1x1.
 */
public final class ConvLayers {

    private ConvLayers() {}

    private static final Map<String, ConvGeometry> LAYERS = Map.of(
            "3x3-64-64@56", conv(64, 56, 64, 3, 1, 1, 1),
            "3x3-256-256@14", conv(256, 14, 256, 3, 1, 1, 1),
            "3x3-128-128@28", conv(128, 28, 128, 3, 1, 1, 1),
            "3x3s2-64-128@56", conv(64, 56, 128, 3, 2, 1, 1),
            "1x1-256-64@56", conv(256, 56, 64, 1, 1, 0, 1),
            "dw3x3-144@56", conv(144, 56, 144, 3, 1, 1, 144),
            "7x7s2-3-64@224", conv(3, 224, 64, 7, 2, 3, 1),
            // LeNet's first layer on 28x28 MNIST, padded to keep 28x28 as in the PyTorch tutorials.
            "5x5-1-6@28", conv(1, 28, 6, 5, 1, 2, 1),
            "3x3-512-512@7", conv(512, 7, 512, 3, 1, 1, 1));

    public static ConvGeometry byName(String name) {
        ConvGeometry g = LAYERS.get(name);
        if (g == null) throw new IllegalArgumentException("no benchmark layer '" + name + "'; known: " + new java.util.TreeSet<>(LAYERS.keySet()));
        return g;
    }

    public static java.util.Set<String> names() {
        return LAYERS.keySet();
    }

    private static ConvGeometry conv(int inC, int size, int outC, int k, int stride, int pad, int groups) {
        return new ConvGeometry(inC, size, size, outC, k, k, stride, stride, pad, pad, pad, pad, 1, 1, groups);
    }
}
