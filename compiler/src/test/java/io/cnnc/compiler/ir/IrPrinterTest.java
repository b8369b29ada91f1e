package io.cnnc.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ops.BlockedOp;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.ops.ReorderOp;
import io.cnnc.compiler.passes.ChooseLayouts;
import io.cnnc.compiler.passes.InferencePipeline;
import io.cnnc.dsl.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The text form of the IR: stable, unambiguous, and able to print every network in examples/. */
class IrPrinterTest {

    private static final Path EXAMPLES = Path.of("..", "examples");

    static List<Path> examples() throws Exception {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".cnn")).sorted().toList();
        }
    }

    private static Graph compile(Path file) throws Exception {
        return Compiler.compile(SourceFile.read(file)).networks().getFirst();
    }

    /** The optimized graph laid out with every conv blocked: reorders and blocked ops wherever the layout pass puts them. */
    private static Graph allBlocked(Graph optimized) {
        Set<String> convs = optimized.nodes().stream().filter(n -> n.op() instanceof FusedConvOp).map(Node::name).collect(Collectors.toSet());
        return ChooseLayouts.layOut(optimized, convs);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExamplePrintsTheSameTwiceAtEveryStage(Path file) throws Exception {
        Graph source = compile(file);
        Graph optimized = InferencePipeline.standard().apply(source);
        for (Graph g : List.of(source, optimized, allBlocked(optimized))) {
            String text = IrPrinter.print(g);
            assertThat(IrPrinter.print(g)).isEqualTo(text);
            assertThat(text).doesNotContain("@").doesNotContain("null");
            assertThat(text.lines().filter(l -> l.startsWith("  %"))).hasSize(g.nodes().size());
        }
        String again = IrPrinter.print(allBlocked(InferencePipeline.standard().apply(compile(file))));
        assertThat(again).as("a fresh compile prints the same text").isEqualTo(IrPrinter.print(allBlocked(optimized)));
    }

    /** Values are referred to by name, so within a graph no two may share one. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void valueNamesAreUniqueInEveryExample(Path file) throws Exception {
        Graph source = compile(file);
        Graph optimized = InferencePipeline.standard().apply(source);
        for (Graph g : List.of(source, optimized, allBlocked(optimized))) {
            List<String> labels = Stream.concat(g.inputs().stream(), g.nodes().stream().map(Node::output)).map(Value::label).toList();
            assertThat(new HashSet<>(labels)).as(file.toString()).hasSameSizeAs(labels);
        }
    }

    /** The layouts read back agree with every op that states one: reorders, blocked ops, the graph's ends. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void blockedValuesAgreeWithReordersAndBlockedOps(Path file) throws Exception {
        Graph laid = allBlocked(InferencePipeline.standard().apply(compile(file)));
        Set<Value> blocked = IrPrinter.blockedValues(laid);
        assertThat(laid.inputs()).noneMatch(blocked::contains);
        assertThat(laid.outputs()).noneMatch(blocked::contains);
        for (Node n : laid.nodes()) {
            if (n.op() instanceof ReorderOp r) {
                assertThat(blocked.contains(n.inputs().getFirst())).as(n.name()).isEqualTo(r.from() == Layout.NCHWC);
                assertThat(blocked.contains(n.output())).as(n.name()).isEqualTo(r.to() == Layout.NCHWC);
            }
            if (n.op() instanceof BlockedOp) assertThat(blocked).as(n.name()).contains(n.inputs().getFirst(), n.output());
        }
        assertThat(laid.nodes()).anyMatch(n -> blocked.contains(n.output()));
    }

    @Test
    void aSmallNetworkPrintsAsDocumented() {
        Graph g = CompileTestSupport.graph("network Tiny { input x: [3, 8, 8]\n conv(4, 3, pad=1, bias=false) -> bn -> relu -> leakyrelu(alpha=0.1) -> gap }");
        assertThat(IrPrinter.print(InferencePipeline.standard().apply(g))).isEqualTo("""
                network Tiny
                  input %x : [3, 8, 8]
                  param conv1.weight : [4, 3, 3, 3]
                  param bn1.weight : [4]
                  param bn1.bias : [4]
                  param bn1.running_mean : [4] buffer
                  param bn1.running_var : [4] buffer
                  %conv1 = conv+bn+relu(conv=conv1, out=4, kernel=3x3, stride=1x1, pad=1,1,1,1, dilation=1x1, groups=1, bias=false, \
                bn=bn1, bn.eps=0.00001, bn.momentum=0.1, residual=false, act=relu) (%x) : [4, 8, 8]
                  %leakyrelu1 = leakyrelu(alpha=0.1) (%conv1) : [4, 8, 8]
                  %gap1 = gap() (%leakyrelu1) : [4, 1, 1]
                  return %gap1
                """);
    }
}
