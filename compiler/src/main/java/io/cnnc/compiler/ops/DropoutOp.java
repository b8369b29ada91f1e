package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.Shape;
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
        float keep = (float) (1 / (1 - p));
        for (int i = 0; i < y.length; i++) {
            mask[i] = step.random().nextDouble() < p ? 0f : keep;
            y[i] = x[i] * mask[i];
        }
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
        float[] mask = g.saved() != null ? g.saved()[0] : null;
        for (int i = 0; i < dx.length; i++) dx[i] = mask == null ? g.dy()[i] : g.dy()[i] * mask[i];
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
