package io.cnnc.compiler.passes;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.Layout;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each pass on small networks, the IR before and after it compared with golden text
 * ({@link IrPrinter}) in {@code src/test/resources/golden/PASS/CASE.before.txt} and
 * {@code .after.txt}. A case may first run other passes ({@code setup}) so that the pass
 * under test sees the graph it sees in the pipeline.
 * <p>
 * How the golden files were checked: they were written with {@code -Dgolden.update=true}
 * and then read line by line against the source network: each shape worked out by hand
 * from the conv/pool arithmetic, each fused node's name checked to be its conv's and its
 * {@code bn=} the BatchNorm that followed it, each residual input checked to be the other
 * operand of the add, and each {@code nchw16c} and reorder checked against the rules in
 * ChooseLayouts' Javadoc. After a change to a pass or to the printer, regenerate with
 * {@code mvn -B -o -q -pl compiler -am test -Dtest=PassGoldenTest -Dgolden.update=true
 * -Dsurefire.failIfNoSpecifiedTests=false} and read the {@code git diff} of the golden files
 * the same way before committing them.
 */
class PassGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    record Case(String dir, String name, String source, List<Pass> setup, UnaryOperator<Graph> transform) {
        @Override
        public String toString() {
            return dir + "/" + name;
        }
    }

    private static Case pass(Pass pass, String name, String source, Pass... setup) {
        return new Case(pass.name(), name, source, List.of(setup), pass::apply);
    }

    private static Case pipeline(String name, String source) {
        return new Case("inference-pipeline", name, source, List.of(), InferencePipeline.standard()::apply);
    }

    /**
     * Layout choice after the standard passes, every conv wanting a blocked kernel and kept
     * blocked when {@code worth} accepts its reordered elements (as the strategy chooser's cost
     * model would).
     */
    private static Case layouts(String name, String source, BiPredicate<Node, Long> worth) {
        return new Case("choose-layouts", name, source, InferencePipeline.standard().passes(),
                g -> new ChooseLayouts(convNames(g), worth).apply(g));
    }

    private static Set<String> convNames(Graph g) {
        return g.nodes().stream().filter(n -> n.op() instanceof FusedConvOp).map(Node::name).collect(Collectors.toSet());
    }

    static List<Case> cases() {
        return List.of(
                pass(new FoldBatchNorm(), "conv-bn-relu", "network N { input x: [3, 8, 8]\n conv(4, 3) -> bn -> relu -> conv(2, 1) }"),
                pass(new FoldBatchNorm(), "bn-with-attributes", "network N { input x: [3, 8, 8]\n conv(4, 3, stride=2, pad=1, bias=false) -> bn(eps=0.001, momentum=0.01) }"),
                pass(new FoldBatchNorm(), "conv-read-twice-keeps-bn", "network N { input x: [3, 8, 8]\n a = conv(4, 3)\n b = a -> bn\n a + b }"),
                pass(new FoldBatchNorm(), "bn-not-after-conv-stays", "network N { input x: [3, 8, 8]\n bn -> conv(4, 3) -> maxpool(2) -> bn }"),
                pass(new FuseActivation(), "conv-relu6", "network N { input x: [3, 8, 8]\n conv(4, 3) -> relu6 -> gap -> relu }"),
                pass(new FuseActivation(), "conv-bn-leakyrelu", "network N { input x: [3, 8, 8]\n conv(4, 3, pad=1) -> bn -> leakyrelu(alpha=0.2) }", new FoldBatchNorm()),
                pass(new FuseActivation(), "conv-read-twice-keeps-activation", "network N { input x: [3, 8, 8]\n a = conv(4, 3, pad=1)\n b = a -> sigmoid\n a * b }"),
                pass(new FuseResidual(), "identity-shortcut", """
                        network N { input x: [4, 8, 8]
                          y = conv(4, 3, pad=1, bias=false) -> bn -> relu -> conv(4, 3, pad=1, bias=false) -> bn
                          y + x -> relu
                        }""", new FoldBatchNorm()),
                pass(new FuseResidual(), "projection-shortcut-fuses-the-later-conv", """
                        network N { input x: [4, 8, 8]
                          y = conv(8, 3, stride=2, pad=1) -> bn
                          s = x -> conv(8, 1, stride=2) -> bn
                          y + s -> relu
                        }""", new FoldBatchNorm()),
                pass(new FuseResidual(), "activation-before-add-blocks-fusion", "network N { input x: [4, 8, 8]\n y = conv(4, 3, pad=1) -> relu\n y + x }",
                        new FuseActivation()),
                pass(new RemoveDropout(), "dropout-before-dense", "network N { input x: [4, 8, 8]\n flatten -> dropout(0.5) -> dense(3) }"),
                pass(new RemoveDropout(), "dropout-read-twice", "network N { input x: [4, 8, 8]\n d = conv(4, 1) -> dropout(0.2)\n a = d -> relu\n b = d -> sigmoid\n a + b }"),
                pass(new EliminateDeadNodes(), "unused-branch", "network N { input x: [4, 8, 8]\n unused = x -> conv(2, 3) -> relu\n x -> relu }"),
                pass(new EliminateDeadNodes(), "dead-branch-beside-an-output", "network N { input x: [4, 8, 8]\n a = conv(4, 3, pad=1)\n b = a -> bn\n c = a -> relu\n output b }"),
                pass(new CanonicalizeConvs(), "plain-convs", "network N { input x: [8, 8, 8]\n conv(8, 3, pad=1, dilation=1) -> dwconv(3, stride=2, pad=1) -> conv(4, 1, groups=2) }"),
                pass(new CanonicalizeConvs(), "fused-conv-stays", "network N { input x: [3, 8, 8]\n conv(4, 3) -> bn -> conv(4, 1) }", new FoldBatchNorm()),
                pipeline("resnet-basic-blocks", """
                        network Net { input image: [3, 16, 16]
                          t = conv(16, 3, pad=1, bias=false, name="stem") -> bn(name="stem_bn") -> relu
                          y = t -> conv(16, 3, pad=1, bias=false, name="c1") -> bn(name="b1") -> relu -> conv(16, 3, pad=1, bias=false, name="c2") -> bn(name="b2")
                          r = y + t -> relu
                          z = r -> conv(32, 3, stride=2, pad=1, bias=false, name="c3") -> bn(name="b3") -> relu -> conv(32, 3, pad=1, bias=false, name="c4") -> bn(name="b4")
                          s = r -> conv(32, 1, stride=2, bias=false, name="down") -> bn(name="down_bn")
                          unused = r -> maxpool(2)
                          z + s -> relu -> gap -> flatten -> dropout(0.2) -> dense(10)
                        }"""),
                pipeline("squeeze-excite-and-concat", """
                        network Net { input image: [8, 8, 8]
                          a = conv(8, 1) -> bn -> hardswish
                          g = a -> gap -> conv(4, 1) -> relu -> conv(8, 1) -> hardsigmoid
                          e = a * g
                          concat(e, image) -> layernorm -> conv(8, 3, pad=1) -> scale(0.5) -> shift -> adaptiveavgpool(2) -> softmax
                        }"""),
                layouts("chain-reordered-at-its-ends", "network N { input x: [16, 8, 8]\n conv(16, 3, pad=1) -> relu -> conv(32, 3, pad=1) -> relu -> avgpool(2) }",
                        (n, r) -> true),
                layouts("residual-add-stays-blocked", """
                        network N { input x: [16, 8, 8]
                          a = conv(16, 3, pad=1) -> relu
                          b = a -> conv(16, 3, pad=1)
                          c = a -> conv(16, 1)
                          b + c -> relu -> avgpool(2)
                        }""", (n, r) -> true),
                layouts("max-and-global-pool-follow-blocked", "network N { input x: [16, 8, 8]\n conv(16, 3, pad=1) -> maxpool(2) -> conv(32, 3, pad=1) -> gap }",
                        (n, r) -> true),
                layouts("image-input-read-planar", "network N { input x: [3, 16, 16]\n conv(16, 3, pad=1) -> relu -> conv(16, 3, pad=1) -> relu -> flatten -> dense(4) }",
                        (n, r) -> true),
                layouts("one-reorder-for-two-readers", "network N { input x: [16, 8, 8]\n a = conv(16, 3, pad=1)\n p = a -> avgpool(2)\n q = a -> avgpool(3, stride=2, pad=1)\n p + q }",
                        (n, r) -> true),
                // Worth one reordered 16x8x8 tensor, not two (its input's and its output's).
                layouts("conv-not-worth-its-reorders-stays-planar", "network N { input x: [16, 8, 8]\n conv(16, 3, pad=1) -> avgpool(2) }",
                        (n, elements) -> elements <= 16 * 8 * 8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void irBeforeAndAfterThePassMatchesTheGoldenText(Case c) throws IOException {
        Graph before = CompileTestSupport.graph(c.source());
        for (Pass p : c.setup()) before = p.apply(before);
        Graph after = c.transform().apply(before);
        check(c.dir(), c.name() + ".before.txt", IrPrinter.print(before));
        check(c.dir(), c.name() + ".after.txt", IrPrinter.print(after));
    }

    static void check(String dir, String file, String blockedActual) throws IOException {
        // The golden texts name AVX-512's 16-channel blocks; their cases (16 and 32 channels) lay
        // out alike in AVX2's 8-channel ones, which print as nchw8c.
        String actual = blockedActual.replace(Layout.NCHWC.label(), "nchw16c");
        Path path = GOLDEN.resolve(dir).resolve(file);
        if (UPDATE) {
            Files.createDirectories(path.getParent());
            Files.writeString(path, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(path).as("golden file missing; write it with -Dgolden.update=true (see this class's Javadoc)").exists();
        assertThat(actual).as(path.toString()).isEqualTo(Files.readString(path, StandardCharsets.UTF_8));
    }
}
