package io.cnnc.runtime.gpu;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layer kind as a one- or two-layer network, planned and run on OpenCL (batch 2, odd
 * sizes), against the reference executor. Tolerance 1e-5 of the output's largest magnitude:
 * the device sums in float, the reference in double.
 */
class OpenClLayersTest {

    static Stream<Arguments> layers() {
        return Stream.of(
                net("maxpool 3 stride 2 pad 1", "[5, 13, 11]", "maxpool(3, stride=2, pad=1)"),
                net("maxpool ceil mode", "[3, 9, 7]", "maxpool(2, ceil=true)"),
                net("avgpool counting padding", "[4, 12, 9]", "avgpool(3, stride=2, pad=1)"),
                net("avgpool ceil mode", "[3, 9, 7]", "avgpool(2, ceil=true)"),
                net("global average pool", "[6, 7, 5]", "gap"),
                net("global max pool", "[6, 7, 5]", "globalmaxpool"),
                net("adaptive average pool, overlapping bins", "[4, 10, 7]", "adaptiveavgpool(3)"),
                net("channel shuffle", "[6, 5, 7]", "channelshuffle(3) -> channelshuffle(2)"),
                net("channel shuffle, groups 1 and C", "[4, 3, 3]", "channelshuffle(1) -> channelshuffle(4) -> relu"),
                net("transposed conv: stride 2, output padding, bias", "[6, 5, 7]", "deconv(4, 3, stride=2, pad=1, output_pad=1)"),
                net("transposed conv: groups, dilation, no bias", "[4, 6, 5]", "deconv(6, (2, 3), stride=(1, 2), pad=(1, 0, 0, 2), dilation=2, groups=2, bias=false)"),
                net("group norm, and instance norm without an affine map", "[8, 5, 7]", "groupnorm(2) -> instancenorm"),
                net("slices of channels, the first and a middle one", "[6, 5, 7]", "concat(x -> slice(0, 2), x -> slice(3, 5))"),
                net("dense", "[3, 5, 7]", "dense(37)"),
                net("dense without bias after flatten", "[70, 1, 1]", "flatten -> dense(10, bias=false)"),
                net("relu", "[3, 8, 9]", "relu"),
                net("relu6", "[3, 8, 9]", "scale(init=8.0) -> relu6"),
                net("leakyrelu", "[3, 8, 9]", "leakyrelu(alpha=0.2)"),
                net("sigmoid", "[3, 8, 9]", "scale(init=6.0) -> sigmoid"),
                net("tanh", "[3, 8, 9]", "scale(init=3.0) -> tanh"),
                net("gelu", "[3, 8, 9]", "scale(init=4.0) -> gelu"),
                net("silu", "[3, 8, 9]", "scale(init=4.0) -> silu"),
                net("hardswish", "[3, 8, 9]", "scale(init=5.0) -> hardswish"),
                net("hardsigmoid", "[3, 8, 9]", "scale(init=5.0) -> hardsigmoid"),
                net("identity", "[3, 8, 9]", "identity"),
                net("batchnorm left unfused", "[5, 6, 7]", "maxpool(2) -> bn"),
                net("layernorm", "[7, 5, 6]", "layernorm"),
                net("scale", "[7, 5, 6]", "scale(init=0.7)"),
                net("shift", "[7, 5, 6]", "shift(init=0.3)"),
                net("softmax over channels", "[9, 4, 3]", "scale(init=5.0) -> softmax"),
                net("dropout is the identity", "[4, 5, 5]", "dropout(p=0.3) -> relu"),
                net("add", "[4, 6, 5]", "a = relu\n b = x -> sigmoid\n a + b"),
                net("mul elementwise", "[4, 6, 5]", "a = tanh\n b = x -> sigmoid\n a * b"),
                net("mul broadcast over H and W", "[4, 6, 5]", "x * (x -> gap -> sigmoid)"),
                net("mul broadcast operand first", "[4, 6, 5]", "(x -> gap -> sigmoid) * x"),
                net("concat of three", "[3, 5, 6]", "concat(x, x -> relu, x -> conv(5, 1))"),
                net("conv with bn, residual and relu fused", "[6, 9, 10]", "y = conv(6, 3, pad=1, bias=false) -> bn\n y + x -> relu"),
                net("dwconv with multiplier", "[5, 11, 9]", "dwconv(3, stride=2, pad=1, multiplier=2) -> bn -> relu6"),
                net("grouped conv", "[6, 9, 8]", "conv(9, 3, pad=1, groups=3) -> hardswish"),
                net("upsample nearest, scale pair", "[3, 5, 7]", "upsample((2, 3))"),
                net("upsample bilinear", "[3, 5, 7]", "upsample(3, mode=\"bilinear\")"),
                net("upsample bilinear, align corners", "[3, 5, 1]", "upsample((2, 4), mode=\"bilinear\", align_corners=true)"));
    }

    private static Arguments net(String what, String shape, String body) {
        return Arguments.of(what, "network T { input x: " + shape + "\n " + body + "\n}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void matchesTheReference(String what, String source) {
        GpuRun run = GpuRun.of(OpenClTestDevice.get(), GpuRun.parse(source), 2, 7);
        Closeness.assertClose(what, run.device(), run.reference(), 1e-5);
    }
}
