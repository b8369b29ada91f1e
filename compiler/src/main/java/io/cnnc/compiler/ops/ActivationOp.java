package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.codegen.RecordLiteral;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.OnnxModel.Node;
import io.cnnc.kernels.cpu.Activations;
import io.cnnc.kernels.cpu.FastActivation;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.ActivationReference;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** An elementwise activation; {@code alpha} is leakyrelu's negative slope. */
public record ActivationOp(ActivationKind kind, double alpha) implements CommonOp, GpuTrainable {

    @Override
    public String type() {
        return kind.definition().name();
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public void reference(Eval e) {
        ActivationReference.forward(kind, alpha, e.x(), e.output());
    }

    @Override
    public void trainingForward(Eval e, TrainingStep step) {
        Activations.forward(kind, alpha, e.x(), e.output());
    }

    @Override
    public boolean overwrites() {
        return true;
    }

    /** The derivative is taken at the input. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.INPUTS;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        if (g.dx() != null) Activations.backward(kind, alpha, e.x(), g.dy(), g.dx());
    }

    @Override
    public CodeBlock trainingForward(TrainingCode c) {
        return CodeBlock.of("$T.forward($L, $L, $L, $L)", Activations.class, RecordLiteral.value(kind), Double.toString(alpha), c.x(), c.y());
    }

    @Override
    public BlockedTraining blockedTraining() {
        return BlockedTraining.SAME;
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        return CodeBlock.of("$T.backward($L, $L, $L, $L, $L)", Activations.class, RecordLiteral.value(kind), Double.toString(alpha), c.x(), c.dy(),
                c.dx());
    }

    @Override
    public boolean elementwise() {
        return true;
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.forward($L, $L, $L, $L, " + c.threads() + ")", FastActivation.class, RecordLiteral.value(kind),
                Double.toString(alpha), c.x(), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        t.kernel(t.loops().elementwise(t.kernelName(), t.in().size() * t.batch(), this, false));
        t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of(LayerLaunches.activation(g.x(), g.y(), g.in().size() * g.batch(), GpuActivation.code(kind), (float) alpha));
    }

    /** Only an activation that takes alpha reads it; it is shown for the others too if set, since it is still part of the op. */
    @Override
    public List<String> attributes() {
        return kind.definition().takesAlpha() || alpha != 0 ? List.of("alpha=" + IrPrinter.num(alpha)) : List.of();
    }

    @Override
    public String onnx(OnnxCode o) {
        return kind.definition().onnx(o, o.x(), o.output(), (float) alpha);
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return List.of(LayerLaunches.activation(t.x(), t.y(), t.count(), GpuActivation.code(kind), (float) alpha));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (!t.needsDx(0)) return;
        float beta = t.beta(0);
        out.add(TrainingLaunches.activationBackward(t.x(), t.dy(), t.dx(0), t.count(), GpuActivation.code(kind), (float) alpha, beta));
    }

    /** ONNX op types read as one activation, from the activations' definitions. */
    private static final Map<String, ActivationKind> ONNX_ACTIVATIONS = onnxActivations();

    /**
     * Each activation's ONNX op types, and Clip and HardSigmoid: relu, relu6 and PyTorch's
     * hardsigmoid where their bounds match, otherwise scale, shift and relu6 around the value.
     */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(
            Stream.concat(ONNX_ACTIVATIONS.keySet().stream(), Stream.of("Clip", "HardSigmoid")).collect(Collectors.toUnmodifiableSet()), n -> {
        OnnxImport.Value x = n.in(0);
        switch (n.node().opType()) {
            case "HardSigmoid" -> hardSigmoid(n, x);
            case "Clip" -> clip(n, x);
            default -> {
                ActivationKind kind = ONNX_ACTIVATIONS.get(n.node().opType());
                n.emit(x, kind.definition().name() + (kind.definition().takesAlpha()
                        ? "(alpha=" + OnnxImport.fmt(n.node().number("alpha", 0.01f)) + ")" : ""), x.c(), x.h(), x.w(), x.rank());
            }
        }
    });

    private static Map<String, ActivationKind> onnxActivations() {
        Map<String, ActivationKind> m = new HashMap<>();
        for (ActivationKind k : ActivationKind.values()) {
            for (String op : k.definition().onnxImports()) {
                if (m.put(op, k) != null) throw new IllegalStateException("two activations import ONNX " + op);
            }
        }
        return Map.copyOf(m);
    }

    private static void hardSigmoid(OnnxImport n, OnnxImport.Value x) {
        float alpha = n.node().number("alpha", 0.2f);
        float beta = n.node().number("beta", 0.5f);
        if (Math.abs(alpha - 1f / 6) < 1e-7 && beta == 0.5f) {
            n.emit(x, "hardsigmoid", x.c(), x.h(), x.w(), x.rank());   // PyTorch's
            return;
        }
        // clip(alpha*x + beta, 0, 1) = relu6(6*alpha*x + 6*beta) / 6 (ONNX's default alpha 0.2 is Keras's and Paddle's)
        String base = n.layerName("hardsigmoid");
        n.weight(base + "_scale.weight", OnnxImport.filled(x.c(), 6 * alpha), x.c());
        n.weight(base + "_shift.weight", OnnxImport.filled(x.c(), 6 * beta), x.c());
        n.weight(base + "_div.weight", OnnxImport.filled(x.c(), 1f / 6), x.c());
        n.emit(x, "scale(name=\"" + base + "_scale\") -> shift(name=\"" + base + "_shift\") -> relu6 -> scale(name=\""
                + base + "_div\")", x.c(), x.h(), x.w(), x.rank());
    }

    private static void clip(OnnxImport n, OnnxImport.Value x) throws OnnxImport.Refused {
        Node node = n.node();
        float lo = node.attributes().containsKey("min") ? node.number("min", Float.NEGATIVE_INFINITY) : OnnxImport.scalar(n.constant(1), Float.NEGATIVE_INFINITY);
        float hi = node.attributes().containsKey("max") ? node.number("max", Float.POSITIVE_INFINITY) : OnnxImport.scalar(n.constant(2), Float.POSITIVE_INFINITY);
        // Older exporters write relu6 as Relu then Clip(max=6): on a non-negative input any lo <= 0 is 0.
        boolean floorAtZero = lo == 0 || lo < 0 && n.nonNegative(0);
        if (hi == 6 && floorAtZero) n.emit(x, "relu6", x.c(), x.h(), x.w(), x.rank());
        else if (hi == Float.POSITIVE_INFINITY && floorAtZero) n.emit(x, "relu", x.c(), x.h(), x.w(), x.rank());
        else if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) n.alias(x);
        else if (Float.isFinite(lo) && Float.isFinite(hi) && hi > lo) {
            // clip(x, lo, hi) = lo + (hi - lo) * relu6(6 (x - lo) / (hi - lo)) / 6
            String base = n.layerName("clip");
            float k = 6 / (hi - lo);
            n.weight(base + "_in.weight", OnnxImport.filled(x.c(), k), x.c());
            n.weight(base + "_from.weight", OnnxImport.filled(x.c(), -lo * k), x.c());
            n.weight(base + "_out.weight", OnnxImport.filled(x.c(), 1 / k), x.c());
            n.weight(base + "_to.weight", OnnxImport.filled(x.c(), lo), x.c());
            n.emit(x, "scale(name=\"" + base + "_in\") -> shift(name=\"" + base + "_from\") -> relu6 -> scale(name=\""
                    + base + "_out\") -> shift(name=\"" + base + "_to\")", x.c(), x.h(), x.w(), x.rank());
        } else throw new OnnxImport.Refused("Clip(" + lo + ", " + hi + ") with one open bound (only relu-like or two finite bounds)");
    }
}
