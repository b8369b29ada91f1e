package io.cnnc.runtime.onnx;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.compiler.ops.*;
import io.cnnc.kernels.activation.OnnxGraph;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.onnx.OnnxWriter.Attr;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.Init;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a compiled network with its weights as an ONNX model (opset 17) that ONNX Runtime runs
 * with the same outputs. Values stay [N, C, H, W] throughout (dense outputs are reshaped back
 * to [N, units, 1, 1]), so every op sees the layout it sees in cnnc.
 */
public final class OnnxExporter {

    public static final long OPSET = 17;

    private final Graph graph;
    private final Map<String, Tensor> weights;
    private final List<NodeSpec> nodes = new ArrayList<>();
    private final List<Init> inits = new ArrayList<>();
    private final Map<Value, String> names = new HashMap<>();
    private int counter;

    private OnnxExporter(Graph graph, Map<String, Tensor> weights) {
        this.graph = graph;
        this.weights = weights;
    }

    public static byte[] export(Graph graph, Map<String, Tensor> weights) throws IOException, ImportException {
        return new OnnxExporter(graph, weights).run();
    }

    private byte[] run() throws IOException, ImportException {
        List<IO> inputs = new ArrayList<>();
        for (Value in : graph.inputs()) {
            names.put(in, in.label());
            inputs.add(new IO(in.label(), dims(in.shape())));
        }
        for (Node n : graph.nodes()) node(n);
        List<IO> outputs = new ArrayList<>();
        for (Value out : graph.outputs()) {
            String name = "output" + (outputs.isEmpty() ? "" : outputs.size());
            add("Identity", List.of(names.get(out)), name);
            outputs.add(new IO(name, dims(out.shape())));
        }
        return OnnxWriter.model(graph.name(), OPSET, nodes, inits, inputs, outputs);
    }

    private static long[] dims(Shape s) {
        return new long[] {-1, s.c(), s.h(), s.w()};
    }

    private String add(String op, List<String> inputs, String output, Attr... attrs) {
        nodes.add(new NodeSpec(op, op + "_" + nodes.size(), inputs, List.of(output), List.of(attrs)));
        return output;
    }

    private String temp() {
        return "t" + (counter++);
    }

    private String init(String name, float[] values, long... dims) {
        inits.add(new Init(name, dims, values, null));
        return name;
    }

    private String initInts(long... values) {
        String name = "c" + (counter++);
        inits.add(new Init(name, new long[] {values.length}, null, values));
        return name;
    }

    private String scalar(float v) {
        return init("c" + (counter++), new float[] {v});
    }

    private String weight(Node n, String suffix, long... dims) {
        return init(n.name() + "." + suffix, weights.get(n.name() + "." + suffix).data(), dims);
    }

    private void node(Node n) throws ImportException {
        Shape s = n.inputShapes().getFirst();
        String x = names.get(n.inputs().getFirst());
        String y = n.name().replaceAll("[^A-Za-z0-9_.]", "_");
        String out = switch (n.sourceOp()) {
            case ConvOp c -> {
                List<String> in = new ArrayList<>(List.of(x, weight(n, "weight", c.outChannels(), s.c() / c.groups(), c.kernelH(), c.kernelW())));
                if (c.bias()) in.add(weight(n, "bias", c.outChannels()));
                nodes.add(new NodeSpec("Conv", y, in, List.of(y), List.of(Attr.of("kernel_shape", c.kernelH(), c.kernelW()),
                        Attr.of("strides", c.strideH(), c.strideW()), Attr.of("pads", c.padTop(), c.padLeft(), c.padBottom(), c.padRight()),
                        Attr.of("dilations", c.dilationH(), c.dilationW()), Attr.of("group", (long) c.groups()))));
                yield y;
            }
            case DenseOp d -> {
                String flat = add("Flatten", List.of(x), temp(), Attr.of("axis", 1L));
                List<String> in = new ArrayList<>(List.of(flat, weight(n, "weight", d.units(), s.size())));
                if (d.bias()) in.add(weight(n, "bias", d.units()));
                nodes.add(new NodeSpec("Gemm", y + "_gemm", in, List.of(y + "_gemm"), List.of(Attr.of("transB", 1L))));
                yield add("Reshape", List.of(y + "_gemm", initInts(0, d.units(), 1, 1)), y);
            }
            case BatchNormOp b -> {
                int c = s.c();
                nodes.add(new NodeSpec("BatchNormalization", y, List.of(x, weight(n, "weight", c), weight(n, "bias", c),
                        weight(n, "running_mean", c), weight(n, "running_var", c)), List.of(y), List.of(Attr.of("epsilon", (float) b.eps()))));
                yield y;
            }
            case LayerNormOp l -> {
                String t = add("Transpose", List.of(x), temp(), Attr.of("perm", 0, 2, 3, 1));
                String norm = temp();
                nodes.add(new NodeSpec("LayerNormalization", y + "_ln", List.of(t, weight(n, "weight", s.c()), weight(n, "bias", s.c())),
                        List.of(norm), List.of(Attr.of("axis", -1L), Attr.of("epsilon", (float) l.eps()))));
                yield add("Transpose", List.of(norm), y, Attr.of("perm", 0, 3, 1, 2));
            }
            case ScaleOp sc -> add("Mul", List.of(x, weight(n, "weight", s.c(), 1, 1)), y);
            case ShiftOp sh -> add("Add", List.of(x, weight(n, "weight", s.c(), 1, 1)), y);
            case PoolOp p -> add(p.kind() == PoolOp.Kind.MAX ? "MaxPool" : "AveragePool", List.of(x), y,
                    poolAttrs(p).toArray(Attr[]::new));
            case GlobalPoolOp g -> add(g.kind() == PoolOp.Kind.MAX ? "GlobalMaxPool" : "GlobalAveragePool", List.of(x), y);
            case AdaptiveAvgPoolOp a -> {
                if (a.outH() == 1 && a.outW() == 1) yield add("GlobalAveragePool", List.of(x), y);
                if (s.h() % a.outH() != 0 || s.w() % a.outW() != 0) {
                    throw new ImportException("adaptiveavgpool from " + s.h() + "x" + s.w() + " to " + a.outH() + "x" + a.outW()
                            + " has no ONNX equivalent (sizes must divide)");
                }
                int kh = s.h() / a.outH();
                int kw = s.w() / a.outW();
                yield add("AveragePool", List.of(x), y, Attr.of("kernel_shape", kh, kw), Attr.of("strides", kh, kw));
            }
            case ActivationOp a -> activation(a, x, y);
            case SoftmaxOp sm -> add("Softmax", List.of(x), y, Attr.of("axis", 1L));
            case FlattenOp f -> add("Reshape", List.of(x, initInts(0, s.size(), 1, 1)), y);
            case DropoutOp d -> add("Identity", List.of(x), y);
            case AddOp a -> add("Add", List.of(x, names.get(n.inputs().get(1))), y);
            case MulOp m -> add("Mul", List.of(x, names.get(n.inputs().get(1))), y);
            case ConcatOp c -> add("Concat", n.inputs().stream().map(names::get).toList(), y, Attr.of("axis", 1L));
        };
        names.put(n.output(), out);
    }

    private static List<Attr> poolAttrs(PoolOp p) {
        List<Attr> a = new ArrayList<>(List.of(Attr.of("kernel_shape", p.kernelH(), p.kernelW()), Attr.of("strides", p.strideH(), p.strideW()),
                Attr.of("pads", p.padTop(), p.padLeft(), p.padBottom(), p.padRight()), Attr.of("ceil_mode", p.ceil() ? 1L : 0L)));
        if (p.kind() == PoolOp.Kind.AVG) a.add(Attr.of("count_include_pad", 1L));
        return a;
    }

    private String activation(ActivationOp a, String x, String y) {
        return a.kind().definition().onnx(activationGraph, x, y, (float) a.alpha());
    }

    /** This exporter's nodes, temporaries and scalars, as an activation's export writes them. */
    private final OnnxGraph activationGraph = new OnnxGraph() {
        @Override
        public String node(String op, List<String> inputs, String output, Attribute... attributes) {
            Attr[] attrs = new Attr[attributes.length];
            for (int i = 0; i < attrs.length; i++) attrs[i] = Attr.of(attributes[i].name(), attributes[i].value());
            return add(op, inputs, output, attrs);
        }

        @Override
        public String temp() {
            return OnnxExporter.this.temp();
        }

        @Override
        public String scalar(float v) {
            return OnnxExporter.this.scalar(v);
        }
    };
}
