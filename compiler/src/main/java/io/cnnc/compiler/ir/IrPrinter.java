package io.cnnc.compiler.ir;

import io.cnnc.compiler.ops.BlockedOp;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.ops.InvertedResidualOp;
import io.cnnc.compiler.ops.Op;
import io.cnnc.compiler.ops.ReorderOp;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The IR as stable text, one line per node, for golden tests, {@code cnnc compile --print-ir}
 * and reading what a pass did:
 * <pre>
 * network Block
 *   input %x : [4, 8, 8]
 *   param conv1.weight : [4, 4, 3, 3]
 *   param bn1.running_mean : [4] buffer
 *   %conv1 = conv+bn+relu(conv=conv1, out=4, kernel=3x3, stride=1x1, pad=1,1,1,1, dilation=1x1, groups=1, bias=false,
 *                         bn=bn1, bn.eps=0.00001, bn.momentum=0.1, residual=false, act=relu) (%x) : [4, 8, 8]
 *   return %conv1
 * </pre>
 * (one line in the output). Values are named by their node's name (inputs by the input's), so
 * the text has no ids or identity hashes and is the same on every run. Every attribute of every
 * op is printed, so any change a pass makes shows in a diff. The {@code param} lines list every
 * tensor the weights file must hold for this graph, a fused convolution's under its conv's and
 * BatchNorm's names (it reads them there), so folding changes no {@code param} line.
 * <p>
 * The IR keeps no layout per value: the layout pass expresses it through reorders and blocked
 * ops. The printer reads it back ({@link #blockedValues}) and writes {@code nchw16c} after the
 * shape of a channel-blocked value; NCHW, the default, is not written.
 */
public final class IrPrinter {

    private IrPrinter() {}

    public static String print(Graph graph) {
        Set<Value> blocked = blockedValues(graph);
        StringBuilder out = new StringBuilder("network ").append(graph.name()).append('\n');
        for (Value in : graph.inputs()) out.append("  input ").append(ref(in)).append(" : ").append(in.shape()).append('\n');
        for (Node n : graph.nodes()) {
            for (Graph.NamedParam p : tensorsRead(n)) {
                out.append("  param ").append(p.name()).append(" : ").append(dims(p.spec().dims()))
                        .append(p.spec().learned() ? "" : " buffer").append('\n');
            }
        }
        for (Node n : graph.nodes()) {
            out.append("  ").append(ref(n.output())).append(" = ").append(op(n.op()))
                    .append(" (").append(n.inputs().stream().map(IrPrinter::ref).collect(Collectors.joining(", "))).append(')')
                    .append(" : ").append(n.output().shape()).append(blocked.contains(n.output()) ? " " + Layout.NCHWC.label() : "").append('\n');
        }
        out.append("  return ").append(graph.outputs().stream().map(IrPrinter::ref).collect(Collectors.joining(", "))).append('\n');
        return out.toString();
    }

    /** The op's type followed by all its attributes; a blocked op prefixes its op's with {@code blocked.}. */
    static String op(Op op) {
        if (op instanceof BlockedOp b) return "blocked." + op(b.op());
        return op.type() + "(" + String.join(", ", op.attributes()) + ")";
    }

    /** Plain decimal, no exponent and no trailing zeros ({@code 0.00001}, {@code 1}): the same on every JVM. */
    public static String num(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static String dims(int[] dims) {
        return "[" + java.util.Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + "]";
    }

    private static String ref(Value v) {
        return "%" + v.label();
    }

    /** The tensors a node reads from the weights file: its own, or for a fused conv its conv's and BatchNorm's. */
    private static List<Graph.NamedParam> tensorsRead(Node n) {
        if (n.op() instanceof InvertedResidualOp block) {
            List<Graph.NamedParam> out = new ArrayList<>();
            for (Node part : block.parts()) out.addAll(tensorsRead(part));
            return out;
        }
        if (!(n.op() instanceof FusedConvOp f)) return n.params().stream().map(p -> new Graph.NamedParam(n.paramName(p), n, p)).toList();
        List<Graph.NamedParam> out = new ArrayList<>();
        for (ParamSpec p : f.conv().params(n.inputShapes().subList(0, 1))) out.add(new Graph.NamedParam(f.convName() + "." + p.suffix(), n, p));
        if (f.bn() != null) {
            for (ParamSpec p : f.bn().params(List.of(n.output().shape()))) out.add(new Graph.NamedParam(f.bnName() + "." + p.suffix(), n, p));
        }
        return out;
    }

    /**
     * The values the layout pass made NCHW16c. Read backwards, as {@code ChooseLayouts} reads
     * them: a value is blocked when some reader reads it blocked, that is a reorder from NCHW16c,
     * a blocked op, or an elementwise op or convolution whose own output is blocked (except a
     * convolution's first input when its channels do not fill blocks, which it reads as NCHW).
     * Graph outputs are always NCHW, so every blocked value has a reader that says so.
     */
    public static Set<Value> blockedValues(Graph graph) {
        Set<Value> blocked = new HashSet<>();
        List<Node> nodes = graph.nodes();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node n = nodes.get(k);
            boolean out = switch (n.op()) {
                case ReorderOp r -> r.to() == Layout.NCHWC;
                case BlockedOp b -> true;
                case InvertedResidualOp f -> f.blockedOutput();
                default -> blocked.contains(n.output());
            };
            if (out) blocked.add(n.output());
            for (int i = 0; i < n.inputs().size(); i++) {
                Value in = n.inputs().get(i);
                boolean readsBlocked = n.op().elementwise() ? out : switch (n.op()) {
                    case ReorderOp r -> r.from() == Layout.NCHWC;
                    case BlockedOp b -> true;
                    case FusedConvOp f -> out && (i > 0 || Nchwc.blocks(in.shape().c()));
                    case InvertedResidualOp f -> i == 0 ? f.blockedInput() : f.blockedOutput();
                    default -> false;
                };
                if (readsBlocked) blocked.add(in);
            }
        }
        return blocked;
    }
}
