package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.codegen.RecordLiteral;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OnnxModel.TensorData;
import io.cnnc.kernels.backward.BatchNormTraining;
import io.cnnc.kernels.backward.BlockedBatchNorm;
import io.cnnc.kernels.cpu.Activations;
import io.cnnc.kernels.cpu.FastChannelAffine;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.BatchNormReference;
import java.util.List;
import java.util.Set;

/** Batch normalisation per channel; running statistics are buffers, not parameters. */
public record BatchNormOp(double eps, double momentum) implements CommonOp, GpuTrainable {

    @Override
    public String type() {
        return "bn";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return inputs.getFirst();
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        int[] c = {inputs.getFirst().c()};
        return List.of(
                new ParamSpec("weight", c, true, Init.constant(1)),
                new ParamSpec("bias", c, true, Init.constant(0)),
                new ParamSpec("running_mean", c, false, Init.constant(0)),
                new ParamSpec("running_var", c, false, Init.constant(1)));
    }

    @Override
    public void reference(Eval e) {
        Shape s = e.in();
        BatchNormReference.forward(e.x(), e.batch(), s.c(), e.spatial(), e.param("weight"), e.param("bias"),
                e.param("running_mean"), e.param("running_var"), eps, e.output());
    }

    /** Batch statistics, and the running ones updated, unless the layer is frozen or evaluating. */
    @Override
    public void trainingForward(Eval e, TrainingStep step) {
        if (!step.training() || step.frozen()) {
            reference(e);
            if (step.relu()) Activations.forward(folded(step.reluCeiling()), 0, e.output(), e.output());
            return;
        }
        Shape s = e.in();
        float[] mean = new float[s.c()];
        float[] invStd = new float[s.c()];
        float[] meanLow = new float[s.c()];
        float[] scale = new float[s.c()];
        BatchNormTraining.forward(e.x(), e.batch(), s.c(), e.spatial(), e.param("weight"), e.param("bias"), e.param("running_mean"),
                e.param("running_var"), eps, momentum, e.output(), new BatchNormTraining.Saved(mean, invStd, meanLow, scale), step.relu(),
                step.reluCeiling());
        step.save().accept(new float[][] {mean, invStd, meanLow, scale});
    }

    /**
     * Batch statistics into four saved fields while training; the running statistics while
     * evaluating or frozen. On NCHWc tensors the blocked kernels, which keep the same fields.
     */
    @Override
    public CodeBlock trainingForward(TrainingCode c) {
        Shape s = c.in();
        Class<?> kernel = training(c);
        CodeBlock.Builder b = CodeBlock.builder();
        if (!c.frozen()) {
            b.beginControlFlow("if ($L)", c.training())
                    .addStatement("$T.forward($L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L, $L, new $T($L, $L, $L, $L), $L, $L)", kernel,
                            c.x(), s.c(), c.spatial(), c.param("weight"), c.param("bias"), c.param("running_mean"), c.param("running_var"),
                            Double.toString(eps), Double.toString(momentum), c.y(), BatchNormTraining.Saved.class, c.saved(0, s.c()),
                            c.saved(1, s.c()), c.saved(2, s.c()), c.saved(3, s.c()), c.relu(), RecordLiteral.value(c.reluCeiling()))
                    .nextControlFlow("else");
        }
        if (c.blocked()) {
            b.addStatement("$T.evaluate($L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", BlockedBatchNorm.class, c.x(), s.c(), c.spatial(),
                    c.param("weight"), c.param("bias"), c.param("running_mean"), c.param("running_var"), Double.toString(eps), c.y(), c.relu(),
                    RecordLiteral.value(c.reluCeiling()));
        } else {
            b.addStatement("$T.forward($L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L)", BatchNormReference.class, c.x(), s.c(), c.spatial(),
                    c.param("weight"), c.param("bias"), c.param("running_mean"), c.param("running_var"), Double.toString(eps), c.y());
            if (c.relu()) b.addStatement("$T.forward($L, 0, $L, $L)", Activations.class, RecordLiteral.value(folded(c.reluCeiling())), c.y(), c.y());
        }
        if (!c.frozen()) b.endControlFlow();
        return b.build();
    }

    /** The training kernels for the node's layout: the same signatures on NCHW and NCHWc. */
    private static Class<?> training(TrainingCode c) {
        return c.blocked() ? BlockedBatchNorm.class : BatchNormTraining.class;
    }

    @Override
    public CodeBlock recomputeOutput(TrainingCode c) {
        Shape s = c.in();
        return CodeBlock.of("$T.recompute($L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L, $L)", training(c), c.x(), s.c(), c.spatial(),
                c.saved(0, s.c()), c.saved(2, s.c()), c.saved(3, s.c()), c.param("bias"), c.y(), c.relu(), RecordLiteral.value(c.reluCeiling()));
    }

    @Override
    public BlockedTraining blockedTraining() {
        return BlockedTraining.SAME;
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        Shape s = c.in();
        if (!c.frozen()) {
            return CodeBlock.of("$T.backward($L, $L, $L, $L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L)", training(c), c.x(), c.dy(),
                    c.reluOutput(), RecordLiteral.value(c.reluCeiling()), s.c(), c.spatial(), c.param("weight"), c.saved(0, s.c()), c.saved(1, s.c()), c.dx(), c.grad("weight"),
                    c.grad("bias"));
        }
        CodeBlock.Builder b = CodeBlock.builder();
        String dy = c.dy();
        if (c.relu()) {
            dy = c.scratch(Math.toIntExact(c.batch() * s.size()));
            b.addStatement("$T.backward($L, 0, $L, $L, $L)", Activations.class, RecordLiteral.value(folded(c.reluCeiling())), c.reluOutput(), c.dy(), dy);
        }
        return b.addStatement("$T.backwardFrozen($L, $L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L, $L)", training(c), c.x(), dy, s.c(),
                c.spatial(), c.param("weight"), c.param("running_mean"), c.param("running_var"), Double.toString(eps), c.dx(), c.grad("weight"),
                c.grad("bias")).build();
    }

    @Override
    public boolean absorbsRelu() {
        return true;
    }

    @Override
    public boolean absorbsRelu6() {
        return true;
    }

    /** The activation a folded ReLU with this upper clamp is: a ReLU6 at 6, a ReLU unclamped. */
    private static ActivationKind folded(float ceiling) {
        return ceiling == 6f ? ActivationKind.RELU6 : ActivationKind.RELU;
    }

    @Override
    public boolean overwrites() {
        return true;
    }

    /** Not when frozen: a frozen layer's forward saves nothing to recompute from. */
    @Override
    public boolean recomputesOutput() {
        return true;
    }

    @Override
    public void recomputeOutput(Eval e, float[][] saved, boolean relu, float reluCeiling) {
        Shape s = e.in();
        BatchNormTraining.recompute(e.x(), e.batch(), s.c(), e.spatial(), saved[0], saved[2], saved[3], e.param("bias"), e.output(), relu,
                reluCeiling);
    }

    /** Batch norm's gradient reads its input; a folded ReLU's mask is its output, which the plan keeps. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.INPUTS;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        Shape s = e.in();
        if (g.saved() != null) {
            BatchNormTraining.backward(e.x(), g.dy(), g.reluOutput(), g.reluCeiling(), e.batch(), s.c(), e.spatial(), e.param("weight"), g.saved()[0], g.saved()[1],
                    g.dx(), g.grad("weight"), g.grad("bias"));
        } else {
            float[] dy = g.dy();
            if (g.reluOutput() != null) {
                dy = new float[dy.length];
                Activations.backward(folded(g.reluCeiling()), 0, g.reluOutput(), g.dy(), dy);
            }
            BatchNormTraining.backwardFrozen(e.x(), dy, e.batch(), s.c(), e.spatial(), e.param("weight"), e.param("running_mean"),
                    e.param("running_var"), eps, g.dx(), g.grad("weight"), g.grad("bias"));
        }
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.batchNorm($L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L, " + c.threads() + ")", FastChannelAffine.class, c.x(),
                c.in().c(), c.spatial(), c.weight("weight"), c.weight("bias"), c.weight("running_mean"), c.weight("running_var"),
                Double.toString(eps), c.y());
    }

    /** Folded to a per-channel affine map on the host, once, as the CPU path folds it into convs. */
    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        String p = t.node().name() + ".";
        String a = t.buffer(s.c());
        String b = t.buffer(s.c());
        t.setUp("for (int c = 0; c < $L; c++) { $L[c] = (float) (w.get($S)[c] / Math.sqrt(w.get($S)[c] + $L)); "
                + "$L[c] = w.get($S)[c] - w.get($S)[c] * $L[c]; }", s.c(), a, p + "weight", p + "running_var", Double.toString(eps),
                b, p + "bias", p + "running_mean", a);
        t.kernel(t.loops().channelAffine(t.kernelName(), t.batch(), s.c(), s.h() * s.w()));
        t.call(t.kernelName(), t.x(), a, b, t.y());
    }

    /** With running statistics, as {@code x * scale + shift}, folded on the host in double as FoldedConvWeights does. */
    @Override
    public List<Launch> gpu(GpuCode g) {
        String name = g.node().name();
        int channels = g.in().c();
        float[][] folded = folded(g.tensor(name + ".weight"), g.tensor(name + ".bias"), g.tensor(name + ".running_mean"),
                g.tensor(name + ".running_var"));
        return List.of(LayerLaunches.channelAffine(g.x(), g.upload(name + " scale (bn folded)", folded[0]),
                g.upload(name + " shift (bn folded)", folded[1]), g.y(), g.batch(), channels, g.spatial()));
    }

    /** {scale, shift} per channel: gamma / sqrt(var + eps) and beta - mean * scale, in double. */
    private float[][] folded(float[] gamma, float[] beta, float[] mean, float[] var) {
        float[] scale = new float[gamma.length];
        float[] shift = new float[gamma.length];
        for (int c = 0; c < gamma.length; c++) {
            double s = gamma[c] / Math.sqrt(var[c] + eps);
            scale[c] = (float) s;
            shift[c] = (float) (beta[c] - mean[c] * s);
        }
        return new float[][] {scale, shift};
    }

    @Override
    public List<String> attributes() {
        return List.of("eps=" + IrPrinter.num(eps), "momentum=" + IrPrinter.num(momentum));
    }

    @Override
    public String onnx(OnnxCode o) {
        int c = o.in().c();
        return o.namedNode("BatchNormalization", o.output(), List.of(o.x(), o.weight("weight", c), o.weight("bias", c),
                o.weight("running_mean", c), o.weight("running_var", c)), o.output(), Attribute.of("epsilon", (float) eps));
    }

    /**
     * Batch statistics on the device, the running ones updated; what the backward reads is kept. A
     * frozen layer runs on its running statistics, folded once on the host as {@link #gpu} folds
     * them, and keeps the folded scale for its data gradient.
     */
    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        int c = t.in().c();
        String name = t.node().name();
        if (t.frozen()) {
            float[][] folded = folded(t.tensor(name + ".weight"), t.tensor(name + ".bias"), t.tensor(name + ".running_mean"),
                    t.tensor(name + ".running_var"));
            int scale = t.constant(name + " scale (frozen, running statistics)", folded[0]);
            t.save(scale, t.constant(name + " zeros", new float[c]));
            return List.of(LayerLaunches.channelAffine(t.x(), scale, t.constant(name + " shift (frozen, running statistics)", folded[1]), t.y(),
                    t.batch(), c, t.spatial()));
        }
        int mean = t.workspace(name + " batch mean", c);
        int invStd = t.workspace(name + " batch 1/std", c);
        t.save(mean, invStd, t.workspace(name + " gradient sums", 2L * c));
        return List.of(TrainingLaunches.bnTrainStats(t.x(), mean, invStd, t.param("running_mean"), t.param("running_var"), t.batch(), c,
                        t.spatial(), (float) eps, (float) momentum),
                TrainingLaunches.bnTrainApply(t.x(), t.y(), mean, invStd, t.param("weight"), t.param("bias"), t.batch(), c, t.spatial()));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        int[] st = t.saved();
        int c = t.in().c();
        if (t.frozen()) {
            // The forward was an affine map per channel, so dx is dy times its scale, added into dx as the plan's beta says.
            if (!t.needsDx(0)) return;
            int scaled = t.workspace(t.node().name() + " dy times scale", t.count());
            out.add(LayerLaunches.channelAffine(t.dy(), st[0], st[1], scaled, t.batch(), c, t.spatial()));
            out.add(TrainingLaunches.accumulate(scaled, io.cnnc.kernels.gpu.Arg.NO_BUFFER, t.dx(0), t.count(), t.beta(0)));
            return;
        }
        out.add(TrainingLaunches.bnBackwardReduce(t.x(), t.dy(), st[0], st[1], t.grad("weight"), t.grad("bias"), st[2], t.batch(), c, t.spatial()));
        if (t.needsDx(0)) {
            out.add(TrainingLaunches.bnBackwardData(t.x(), t.dy(), t.dx(0), st[0], st[1], t.param("weight"), st[2], t.batch(), c, t.spatial(),
                    t.beta(0)));
        }
    }

    /** ONNX BatchNormalization in inference form: scale, bias and running statistics as constants. */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("BatchNormalization"), n -> {
        OnnxImport.Value x = n.in(0);
        String name = n.layerName("bn");
        String[] names = {".weight", ".bias", ".running_mean", ".running_var"};
        for (int i = 0; i < names.length; i++) {
            TensorData t = n.constant(i + 1);
            if (t == null) throw new OnnxImport.Refused("parameter " + name + names[i] + " must be a constant");
            n.weight(name + names[i], OnnxImport.broadcast(t, x.c()), x.c());
        }
        n.emit(x, "bn(eps=" + OnnxImport.fmt(n.node().number("epsilon", 1e-5f)) + ", name=\"" + name + "\")", x.c(), x.h(), x.w(), x.rank());
    });
}
