package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.cpu.Activations;
import io.cnnc.kernels.cpu.FastElementwise;
import io.cnnc.kernels.cpu.Workers;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.AddReference;
import java.util.List;
import java.util.Set;

/** Elementwise sum of two values of one shape (a residual connection). */
public record AddOp() implements CommonOp, GpuTrainable {

    @Override
    public String type() {
        return "add";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape a = inputs.get(0);
        Shape b = inputs.get(1);
        if (!a.equals(b)) throw new ShapeException("shape mismatch in '+': " + a + " vs " + b);
        return a;
    }

    @Override
    public void reference(Eval e) {
        AddReference.forward(e.x(), e.input(1), e.output());
    }

    @Override
    public void trainingForward(Eval e, TrainingStep step) {
        FastElementwise.add(e.x(), e.input(1), e.output(), step.relu() ? ActivationKind.RELU : ActivationKind.IDENTITY, 0, Workers.team());
    }

    @Override
    public boolean absorbsRelu() {
        return true;
    }

    @Override
    public boolean overwrites() {
        return true;
    }

    /** The gradient passes through unchanged (masked by a folded ReLU's output, which the plan keeps). */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.NOTHING;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        Activations.passThrough(g.reluOutput(), g.dy(), g.dxs());
    }

    @Override
    public CodeBlock trainingForward(TrainingCode c) {
        return CodeBlock.of("$T.add($L, $L, $L, $T.$L, 0, $T.team())", FastElementwise.class, c.x(), c.input(1), c.y(), ActivationKind.class,
                c.relu() ? "RELU" : "IDENTITY", Workers.class);
    }

    @Override
    public BlockedTraining blockedTraining() {
        return BlockedTraining.SAME;
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        return CodeBlock.of("$T.passThrough($L, $L, new float[][] {$L, $L})", Activations.class, c.reluOutput(), c.dy(), c.dx(0), c.dx(1));
    }

    @Override
    public boolean elementwise() {
        return true;
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.add($L, $L, $L, " + c.threads() + ")", FastElementwise.class, c.x(), c.input(1), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        t.kernel(t.loops().elementwise(t.kernelName(), t.in().size() * t.batch(), null, true));
        t.call(t.kernelName(), t.x(), t.input(1), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of(LayerLaunches.add(g.x(), g.input(1), g.y(), g.in().size() * g.batch(), GpuActivation.NONE, 0f));
    }

    @Override
    public String onnx(OnnxCode o) {
        return o.node("Add", List.of(o.x(), o.input(1)), o.output());
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return List.of(LayerLaunches.add(t.x(), t.input(1), t.y(), t.count(), GpuActivation.NONE, 0f));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        for (int i = 0; i < t.node().inputs().size(); i++) {
            if (!t.needsDx(i)) continue;
            float beta = t.beta(i);
            out.add(TrainingLaunches.accumulate(t.dy(), Arg.NO_BUFFER, t.dx(i), t.count(), beta));
        }
    }

    /** ONNX Add of two computed values (with a constant it is a shift). */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.pattern(Set.of("Add"), n -> OnnxImport.binary(n, " + "));
}
