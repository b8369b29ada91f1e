package io.cnnc.compiler.schedule;

import io.cnnc.kernels.ConvGeometry;
import java.util.List;
import java.util.Set;

/**
 * The layers the cost model is calibrated on: the full set bench's CalibrateCostModel times
 * every strategy on (cold weights, minutes), and the compact one `cnnc calibrate` times within
 * its budget (one or two per family, MachineCalibration).
 */
public final class CalibrationLayers {

    /** A calibration layer and the name reports give it. */
    public record Layer(String name, ConvGeometry g) {}

    private CalibrationLayers() {}

    private static ConvGeometry conv(int inC, int hw, int outC, int k, int stride, int pad, int groups) {
        return new ConvGeometry(inC, hw, hw, outC, k, k, stride, stride, pad, pad, pad, pad, 1, 1, groups);
    }

    private static final List<Layer> ALL = List.of(
            new Layer("3x3 64->64 @56", conv(64, 56, 64, 3, 1, 1, 1)),
            new Layer("3x3 128->128 @28", conv(128, 28, 128, 3, 1, 1, 1)),
            new Layer("3x3 256->256 @14", conv(256, 14, 256, 3, 1, 1, 1)),
            new Layer("3x3 512->512 @7", conv(512, 7, 512, 3, 1, 1, 1)),
            // CIFAR-sized layers (ResNet-20's stages): far from the ImageNet ones, they took the
            // medians, and planar F(4,3) on 16 channels @32 (1.7x ONNX Runtime's ResNet-20).
            new Layer("3x3 16->16 @32", conv(16, 32, 16, 3, 1, 1, 1)),
            new Layer("3x3 32->32 @16", conv(32, 16, 32, 3, 1, 1, 1)),
            new Layer("3x3 64->64 @8", conv(64, 8, 64, 3, 1, 1, 1)),
            new Layer("3x3 s2 64->128 @56", conv(64, 56, 128, 3, 2, 1, 1)),
            new Layer("3x3 s2 128->256 @28", conv(128, 28, 256, 3, 2, 1, 1)),
            new Layer("1x1 256->64 @56", conv(256, 56, 64, 1, 1, 0, 1)),
            new Layer("1x1 64->256 @56", conv(64, 56, 256, 1, 1, 0, 1)),
            new Layer("1x1 s2 64->128 @56", conv(64, 56, 128, 1, 2, 0, 1)),
            // MobileNetV2's small 1x1 layers: without them their estimates came from the 56x56
            // rows, and on two threads gemm-1x1 ran them no faster than on one (Zen 5).
            new Layer("1x1 384->64 @14", conv(384, 14, 64, 1, 1, 0, 1)),
            new Layer("1x1 64->384 @14", conv(64, 14, 384, 1, 1, 0, 1)),
            new Layer("1x1 960->160 @7", conv(960, 7, 160, 1, 1, 0, 1)),
            new Layer("1x1 160->960 @7", conv(160, 7, 960, 1, 1, 0, 1)),
            // ResNet-50's 1x1 layers past the first stage: without them their estimates came from
            // ResNet-18's and MobileNetV2's rows, and gemm-1x1, chosen for all 34 on two threads,
            // ran the network 25% slower than direct-nchwc (Zen 5).
            new Layer("1x1 512->128 @28", conv(512, 28, 128, 1, 1, 0, 1)),
            new Layer("1x1 128->512 @28", conv(128, 28, 512, 1, 1, 0, 1)),
            new Layer("1x1 1024->256 @14", conv(1024, 14, 256, 1, 1, 0, 1)),
            new Layer("1x1 256->1024 @14", conv(256, 14, 1024, 1, 1, 0, 1)),
            new Layer("1x1 2048->512 @7", conv(2048, 7, 512, 1, 1, 0, 1)),
            new Layer("1x1 512->2048 @7", conv(512, 7, 2048, 1, 1, 0, 1)),
            new Layer("7x7 s2 3->64 @224", conv(3, 224, 64, 7, 2, 3, 1)),
            new Layer("5x5 1->6 @28", conv(1, 28, 6, 5, 1, 0, 1)),
            new Layer("dw 3x3 144 @56", conv(144, 56, 144, 3, 1, 1, 144)),
            new Layer("dw 3x3 s2 96 @112", conv(96, 112, 96, 3, 2, 1, 96)),
            new Layer("dw 3x3 960 @7", conv(960, 7, 960, 3, 1, 1, 960)),
            // Squeeze-excitation's 1x1 convolutions on a single pixel (EfficientNet-B0's): the model
            // put them at about 0 ms whatever the strategy, and pixel-gemm took 10x direct-nchwc's time.
            new Layer("se 1x1 48->1152 @1", conv(48, 1, 1152, 1, 1, 0, 1)),
            new Layer("se 1x1 1152->48 @1", conv(1152, 1, 48, 1, 1, 0, 1)),
            new Layer("se 1x1 10->240 @1", conv(10, 1, 240, 1, 1, 0, 1)),
            new Layer("se 1x1 240->10 @1", conv(240, 1, 10, 1, 1, 0, 1)),
            // MobileNetV2's and EfficientNet-B0's middle layers: estimated from the rows above,
            // their layers apart came out 1.5-1.6x below what they took in the network (Zen 5),
            // and the fused-block decision compares against them.
            new Layer("1x1 96->576 @14", conv(96, 14, 576, 1, 1, 0, 1)),
            new Layer("1x1 576->96 @14", conv(576, 14, 96, 1, 1, 0, 1)),
            new Layer("1x1 320->1280 @7", conv(320, 7, 1280, 1, 1, 0, 1)),
            new Layer("dw 3x3 384 @14", conv(384, 14, 384, 3, 1, 1, 384)),
            new Layer("dw 5x5 672 @14", conv(672, 14, 672, 5, 1, 2, 672)),
            new Layer("dw 5x5 s2 240 @28", conv(240, 28, 240, 5, 2, 2, 240)),
            new Layer("3x3 g2 32->32 @28", conv(32, 28, 32, 3, 1, 1, 2)));

    private static final Set<String> COMPACT = Set.of("3x3 64->64 @56", "3x3 256->256 @14", "3x3 16->16 @32", "3x3 64->64 @8",
            "3x3 s2 128->256 @28", "1x1 256->64 @56", "1x1 64->384 @14", "7x7 s2 3->64 @224", "dw 3x3 144 @56", "dw 3x3 960 @7",
            "3x3 g2 32->32 @28");

    public static List<Layer> all() {
        return ALL;
    }

    /** One or two layers per family of {@link #all}: its strategies' keys, at sizes a network has. */
    public static List<Layer> compact() {
        return ALL.stream().filter(l -> COMPACT.contains(l.name())).toList();
    }
}
