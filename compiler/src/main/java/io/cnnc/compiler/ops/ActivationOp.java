package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.codegen.RecordLiteral;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.cpu.Activations;
import io.cnnc.kernels.cpu.FastActivation;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.ActivationReference;
import java.util.List;

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
    public void backward(Eval e, Gradient g) {
        if (g.dx() != null) Activations.backward(kind, alpha, e.x(), g.dy(), g.dx());
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
}
