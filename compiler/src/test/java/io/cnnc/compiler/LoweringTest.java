package io.cnnc.compiler;

import static io.cnnc.compiler.CompileTestSupport.errors;
import static io.cnnc.compiler.CompileTestSupport.graph;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import org.junit.jupiter.api.Test;

class LoweringTest {

    @Test
    void lenetShapesFollowTheSpecComments() {
        Graph g = graph("""
                network LeNet5 {
                  input image: [1, 28, 28]
                  conv(6, 5, pad=2) -> relu
                  maxpool(2)
                  conv(16, 5) -> relu
                  maxpool(2)
                  dense(120) -> relu
                  dense(84) -> relu
                  dense(10)
                }
                """);
        assertThat(g.nodes()).extracting(n -> n.output().shape()).containsExactly(
                new Shape(6, 28, 28), new Shape(6, 28, 28), new Shape(6, 14, 14), new Shape(16, 10, 10),
                new Shape(16, 10, 10), new Shape(16, 5, 5), new Shape(120, 1, 1), new Shape(120, 1, 1),
                new Shape(84, 1, 1), new Shape(84, 1, 1), new Shape(10, 1, 1));
        // 6*1*25+6 + 16*6*25+16 + 120*400+120 + 84*120+84 + 10*84+10, by hand
        assertThat(g.learnedParameterCount()).isEqualTo(156 + 2416 + 48120 + 10164 + 850);
        assertThat(g.outputs()).singleElement().extracting(v -> v.shape()).isEqualTo(new Shape(10, 1, 1));
    }

    @Test
    void parameterNamesFollowTheDocumentedRule() {
        Graph g = graph("""
                block basic(c, stride=1) {
                  s = in -> conv(c, 1, stride=stride, bias=false) -> bn
                  conv(c, 3, stride=stride, pad=1, bias=false) -> bn -> relu
                  conv(c, 3, pad=1, bias=false) -> bn
                  y = in
                  output
                }
                block stage(c, n) {
                  basic(c, 2)
                  repeat n - 1 basic(c)
                }
                network R {
                  input x: [3, 32, 32]
                  conv(16, 3, pad=1, name="stem")
                  stage(32, 3, name="stage2")
                  gap
                  dense(10)
                }
                """);
        assertThat(g.parameters()).extracting(Graph.NamedParam::name).contains(
                "stem.weight", "stem.bias",
                "stage2.basic1.conv1.weight", "stage2.basic1.bn1.running_var", "stage2.basic1.conv3.weight",
                "stage2.0.conv2.weight", "stage2.1.bn3.bias", "dense1.weight");
        assertThat(g.nodes()).extracting(Node::name).doesNotHaveDuplicates();
    }

    @Test
    void bindingsResidualsAndBroadcastMultiply() {
        Graph g = graph("""
                network SE {
                  input x: [8, 6, 6]
                  y = conv(8, 3, pad="same")
                  s = y -> gap -> conv(2, 1) -> relu -> conv(8, 1) -> sigmoid
                  y * s + x -> relu
                }
                """);
        Node last = g.nodes().getLast();
        assertThat(last.op().type()).isEqualTo("relu");
        assertThat(last.output().shape()).isEqualTo(new Shape(8, 6, 6));
        assertThat(g.nodes()).extracting(n -> n.op().type()).contains("mul", "add");
    }

    @Test
    void concatJoinsChannels() {
        Graph g = graph("network N { input x: [3, 9, 9]\n concat(conv(4, 1), conv(5, 3, pad=1), maxpool(3, stride=1, pad=1)) }");
        assertThat(g.outputs().getFirst().shape()).isEqualTo(new Shape(12, 9, 9));
    }

    @Test
    void poolingCeilModeAndSamePadding() {
        Graph g = graph("network N { input x: [1, 112, 112]\n maxpool(3, stride=2, ceil=true)\n conv(2, 4, stride=2, pad=\"same\") }");
        assertThat(g.nodes().get(0).output().shape()).isEqualTo(new Shape(1, 56, 56));
        assertThat(g.nodes().get(1).output().shape()).isEqualTo(new Shape(2, 28, 28));
    }

    @Test
    void asymmetricPaddingAsFourValues() {
        // (top, left, bottom, right) = (0, 1, 2, 3): H 8+0+2-3+1 = 8, W 8+1+3-3+1 = 10
        Graph g = graph("network N { input x: [1, 8, 8]\n conv(2, 3, pad=(0, 1, 2, 3)) }");
        assertThat(g.outputs().getFirst().shape()).isEqualTo(new Shape(2, 8, 10));
        assertThat(errors("network N { input x: [1, 8, 8]\n conv(2, 3, stride=(1, 2, 3, 4)) }"))
                .contains("argument 'stride' of conv must be an integer or a pair (h, w), got tuple (1, 2, 3, 4)");
    }

    @Test
    void depthwiseConvWithMultiplier() {
        Graph g = graph("network N { input x: [4, 8, 8]\n dwconv(3, pad=1, multiplier=2) }");
        assertThat(g.outputs().getFirst().shape()).isEqualTo(new Shape(8, 8, 8));
        assertThat(g.parameters()).extracting(p -> p.spec().toString()).containsExactly("weight[8, 1, 3, 3]", "bias[8]");
    }

    @Test
    void unknownLayerWithSuggestion() {
        assertThat(errors("network N { input x: [3, 8, 8]\n  conv(4, 3) -> rlu\n}"))
                .contains("t.cnn:2:17: error: unknown layer or block 'rlu' (did you mean 'relu'?)");
    }

    @Test
    void wrongArgumentNameAndType() {
        String e = errors("network N { input x: [3, 8, 8]\n conv(4, 3, strid=2)\n conv(4.5, 3)\n bn(eps=\"x\") }");
        assertThat(e).contains("t.cnn:2:13: error: unknown argument 'strid' for conv (did you mean 'stride'?)")
                .contains("t.cnn:3:7: error: argument 'out' of conv must be an integer, got number 4.5")
                .contains("argument 'eps' of bn must be a number");
    }

    @Test
    void missingInput() {
        assertThat(errors("network N {\n conv(4, 3)\n}")).contains("t.cnn:1:9: error: network 'N' has no input");
    }

    @Test
    void shapeMismatchInAddNamesBothShapes() {
        assertThat(errors("network N { input x: [3, 8, 8]\n y = conv(4, 3)\n y + x }"))
                .contains("t.cnn:3:4: error: shape mismatch in '+': [4, 6, 6] vs [3, 8, 8]");
    }

    @Test
    void concatMismatchNamesBothShapes() {
        assertThat(errors("network N { input x: [3, 8, 8]\n concat(conv(4, 3), conv(4, 1)) }"))
                .contains("concat needs equal heights and widths: [4, 6, 6] vs [4, 8, 8]");
    }

    @Test
    void spatialSizeBecomingZero() {
        assertThat(errors("network N { input x: [3, 4, 4]\n conv(4, 5) }")).contains("t.cnn:2:2: error: conv: output size would be 0x0");
    }

    @Test
    void channelsNotDivisibleByGroups() {
        assertThat(errors("network N { input x: [6, 8, 8]\n conv(8, 3, groups=4) }")).contains("input channels 6 are not divisible by groups=4");
    }

    @Test
    void channelShuffleKeepsTheShapeAndPrintsItsGroups() {
        Graph g = graph("network N { input x: [6, 5, 3]\n channelshuffle(3) -> channelshuffle(1) -> channelshuffle(groups=6) }");
        assertThat(g.nodes()).extracting(n -> n.output().shape()).containsOnly(new Shape(6, 5, 3));
        assertThat(g.nodes()).extracting(n -> n.op().attributes()).containsExactly(
                java.util.List.of("groups=3"), java.util.List.of("groups=1"), java.util.List.of("groups=6"));
    }

    @Test
    void channelShuffleChannelsNotDivisibleByGroups() {
        assertThat(errors("network N { input x: [6, 8, 8]\n channelshuffle(4) }"))
                .contains("t.cnn:2:2: error: channelshuffle: input channels 6 are not divisible by groups=4");
    }

    /** PyTorch's ConvTranspose2d sizes: (in - 1) * stride - pads + dilation * (k - 1) + output_pad + 1; the weight [in, out/groups, kH, kW]. */
    @Test
    void deconvSizesItsOutputAsPyTorch() {
        Graph g = graph("network N { input x: [6, 5, 4]\n a = x -> deconv(8, 4, stride=2, pad=1)\n"
                + " b = x -> deconv(4, (3, 5), stride=(3, 2), pad=(0, 2), output_pad=(2, 1), dilation=(1, 2), groups=2, bias=false) }");
        assertThat(g.nodes()).extracting(n -> n.output().shape()).containsExactly(new Shape(8, 10, 8), new Shape(4, 17, 12));
        assertThat(g.parameters()).extracting(p -> java.util.Arrays.toString(p.spec().dims()))
                .containsExactly("[6, 8, 4, 4]", "[8]", "[6, 2, 3, 5]");
        assertThat(errors("network N { input x: [6, 8, 8]\n deconv(4, 3, stride=2, output_pad=2) }"))
                .contains("t.cnn:2:2: error: deconv: output_pad must be smaller than the stride or the dilation, got 2x2");
        assertThat(errors("network N { input x: [6, 8, 8]\n deconv(4, 3, pad=\"same\") }")).contains("pad=\"same\" is for conv");
        assertThat(errors("network N { input x: [6, 2, 2]\n deconv(4, 1, pad=1) }")).contains("output size would be 0x0");
        assertThat(errors("network N { input x: [6, 8, 8]\n deconv(5, 3, groups=2) }")).contains("output channels 5 are not divisible by groups=2");
    }

    @Test
    void groupNormNeedsGroupsDividingTheChannels() {
        Graph g = graph("network N { input x: [6, 5, 3]\n groupnorm(3) -> instancenorm -> instancenorm(affine=true) }");
        assertThat(g.parameters()).extracting(p -> p.name()).containsExactly("groupnorm1.weight", "groupnorm1.bias", "instancenorm2.weight",
                "instancenorm2.bias");
        assertThat(errors("network N { input x: [6, 8, 8]\n groupnorm(4) }")).contains("t.cnn:2:2: error: groupnorm: input channels 6 are not divisible by groups=4");
    }

    @Test
    void sliceTakesAChannelRangeOfItsInput() {
        Graph g = graph("network N { input x: [6, 5, 3]\n a = x -> slice(1, 4)\n b = x -> slice(0, 6) }");
        assertThat(g.nodes()).extracting(n -> n.output().shape()).containsExactly(new Shape(3, 5, 3), new Shape(6, 5, 3));
        assertThat(errors("network N { input x: [6, 8, 8]\n slice(2, 7) }"))
                .contains("t.cnn:2:2: error: slice: channels 2 to 7 reach past the input's 6");
        assertThat(errors("network N { input x: [6, 8, 8]\n slice(3, 3) }")).contains("t.cnn:2:2: error: slice: start must be below end, got 3 and 3");
        assertThat(errors("network N { input x: [6, 8, 8]\n slice(-1, 3) }")).contains("argument 'start' of slice must be at least 0, got -1");
    }

    @Test
    void channelShuffleNeedsPositiveGroups() {
        assertThat(errors("network N { input x: [6, 8, 8]\n channelshuffle(0) }"))
                .contains("t.cnn:2:17: error: argument 'groups' of channelshuffle must be at least 1, got 0");
        assertThat(errors("network N { input x: [6, 8, 8]\n channelshuffle }")).contains("groups");
    }

    @Test
    void recursionAmongBlocks() {
        assertThat(errors("block a() { b }\nblock b() { a }\nnetwork N { input x: [1, 2, 2]\n a }"))
                .contains("recursion among blocks: a -> b -> a");
    }

    @Test
    void nameUsedBeforeBound() {
        assertThat(errors("network N { input x: [3, 8, 8]\n y + x\n y = relu }"))
                .contains("t.cnn:2:2: error: 'y' is used before it is bound (it is bound on line 3)");
    }

    @Test
    void sizesPastTheLimitAreErrorsNotCrashes() {
        assertThat(errors("network N { input x: [3, 8, 8]\n dense(1000000) -> dense(1000000) }")).contains("the limit is 268435456");
        assertThat(errors("network N { input x: [3, 100000, 100000] }")).contains("the limit is 268435456");
        assertThat(errors("network N { input x: [3, 8, 8]\n repeat 100000000 relu }")).contains("past the limit of 10000");
    }

    @Test
    void reportsSeveralErrorsInOneFile() {
        String e = errors("network N { input x: [3, 8, 8]\n foo\n conv(4, 3, bogus=1)\n bar }");
        assertThat(e).contains("t.cnn:2:2").contains("t.cnn:3:13").contains("t.cnn:4:2").contains("3 errors in t.cnn");
    }

    @Test
    void valueNamesMayNotShadowLayers() {
        assertThat(errors("network N { input x: [3, 8, 8]\n relu = conv(4, 3) }")).contains("value name 'relu' shadows the layer 'relu'");
    }

    @Test
    void errorsInsideBlocksAreReportedOnceWithTheCallSite() {
        String e = errors("block b(c) { conv(c, 3, groups=5) }\nnetwork N { input x: [3, 8, 8]\n b(4)\n b(4) }");
        assertThat(e).contains("t.cnn:1:14: error: conv: ").contains("expanded from line 3:2").contains("1 error in");
    }

    @Test
    void trainSectionIsChecked() {
        String ok = "network N { input x: [1, 28, 28]\n dense(10) }\n";
        assertThat(errors(ok + "train N { data mnist\n optimizer sgd(lr=0.1, momentom=0.9)\n epochz 3 }"))
                .contains("unknown argument 'momentom' for sgd (did you mean 'momentum'?)")
                .contains("unknown train setting 'epochz' (did you mean 'epochs'?)");
        assertThat(errors(ok + "train M { data mnist }")).contains("train section names unknown network 'M'");
    }

    @Test
    void unknownNamesInBlocksNoNetworkCallsAreStillReported() {
        assertThat(errors("block unused(c) { y = conv(c, 3) -> rleu\n y + in -> bogus }\nnetwork N { input x: [1, 2, 2] }"))
                .contains("t.cnn:1:37: error: unknown layer or block 'rleu' (did you mean 'relu'?) (in block 'unused')")
                .contains("unknown layer or block 'bogus'");
    }

    /** upsample as nn.Upsample: scale an integer or a pair; align_corners only with bilinear; located errors otherwise. */
    @Test
    void upsampleShapesAndErrors() {
        Graph g = graph("network N { input x: [3, 5, 7]\n upsample(2) -> upsample((3, 1), mode=\"bilinear\", align_corners=true) }");
        assertThat(g.nodes().get(0).output().shape()).isEqualTo(new Shape(3, 10, 14));
        assertThat(g.outputs().getFirst().shape()).isEqualTo(new Shape(3, 30, 14));
        assertThat(g.nodes().get(1).op().attributes()).containsExactly("scale=3x1", "mode=bilinear", "align_corners=true");
        assertThat(errors("network N { input x: [3, 5, 7]\n upsample(2, align_corners=true) }"))
                .contains("2:2: error: upsample: align_corners=true needs mode=\"bilinear\"");
        assertThat(errors("network N { input x: [3, 5, 7]\n upsample(2, mode=\"bicubic\") }"))
                .contains("upsample: mode must be \"nearest\" or \"bilinear\", got \"bicubic\"");
        assertThat(errors("network N { input x: [3, 5, 7]\n upsample(0) }")).contains("argument 'scale' of upsample must be at least 1, got 0");
        assertThat(errors("network N { input x: [3, 5, 7]\n upsample(2.5) }")).contains("argument 'scale' of upsample must be an integer or a pair");
        assertThat(errors("network N { input x: [3, 5, 7]\n upsample() }")).contains("upsample needs argument 'scale'");
    }
}
