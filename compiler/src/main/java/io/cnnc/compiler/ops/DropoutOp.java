package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.cpu.train.Dropout;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.CopyReference;
import java.util.List;

/** Drops elements with probability {@code p} while training; identity at inference. */
public record DropoutOp(double p) implements SourceOp, GpuTrainable {

    @Override
    public String type() {
        return "dropout";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public void reference(Eval e) {
        CopyReference.forward(e.x(), e.output());
    }

    /** Keeps each element with probability 1 - p, scaled by 1 / (1 - p), the mask drawn from the step's stream. */
    @Override
    public void trainingForward(Eval e, TrainingStep step) {
        float[] x = e.x();
        float[] y = e.output();
        if (!step.training() || p <= 0) {
            System.arraycopy(x, 0, y, 0, y.length);
            return;
        }
        float[] mask = new float[y.length];
        Dropout.forward(x, y, y.length, p, step.random(), mask);
        step.save().accept(new float[][] {mask});
    }

    /** The gradient is masked by the saved mask alone. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.NOTHING;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        float[] dx = g.dx();
        if (dx == null) return;
        Dropout.backward(g.dy(), g.saved() != null ? g.saved()[0] : null, dx, dx.length);
    }

    /** An evaluating pass copies; the mask field is the training forward's. */
    @Override
    public CodeBlock trainingForward(TrainingCode c) {
        long n = c.node().output().shape().size();
        if (p <= 0) return CodeBlock.of("System.arraycopy($L, 0, $L, 0, BATCH * $L)", c.x(), c.y(), n);
        return CodeBlock.builder()
                .beginControlFlow("if ($L)", c.training())
                .addStatement("$T.forward($L, $L, BATCH * $L, $L, $L, $L)", Dropout.class, c.x(), c.y(), n, Double.toString(p), c.random(),
                        c.saved(0, Math.toIntExact(c.batch() * n)))
                .nextControlFlow("else")
                .addStatement("System.arraycopy($L, 0, $L, 0, BATCH * $L)", c.x(), c.y(), n)
                .endControlFlow().build();
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        long n = c.node().output().shape().size();
        return CodeBlock.of("$T.backward($L, $L, $L, BATCH * $L)", Dropout.class, c.dy(), p <= 0 ? "null" : c.saved(0, Math.toIntExact(c.batch() * n)), c.dx(), n);
    }

    @Override
    public List<String> attributes() {
        return List.of("p=" + IrPrinter.num(p));
    }

    /** Exported for inference, where dropout is the identity. */
    @Override
    public String onnx(OnnxCode o) {
        return o.node("Identity", List.of(o.x()), o.output());
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        int mask = p > 0 ? t.dropoutMask(t.count(), p) : Arg.NO_BUFFER;
        t.save(mask);
        return List.of(TrainingLaunches.accumulate(t.x(), mask, t.y(), t.count(), 0f));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (!t.needsDx(0)) return;
        float beta = t.beta(0);
        out.add(TrainingLaunches.accumulate(t.dy(), t.saved()[0], t.dx(0), t.count(), beta));
    }
}
