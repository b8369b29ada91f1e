package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.codegen.RecordLiteral;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.plan.FoldedConvWeights;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.conv.ConvKernel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.Epilogue;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.ConvBuffers;
import io.cnnc.kernels.gpu.GpuActivation;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.reference.ActivationReference;
import io.cnnc.kernels.reference.AddReference;
import io.cnnc.kernels.reference.BatchNormReference;
import io.cnnc.kernels.reference.ConvReference;
import java.util.ArrayList;
import java.util.List;

/**
 * A convolution with what followed it folded in, made by the inference passes: an optional
 * BatchNorm (folded into weight and bias once weights are known), an optional residual add of
 * the node's second input, then an optional activation. Computes
 * {@code act(bn(conv(x)) + residual)}. It owns no tensors of its own: it reads the fused nodes'
 * tensors under their original names ({@code convName.weight}, {@code bnName.running_mean}), so
 * the same weights file serves the source graph and the optimized one.
 */
public record FusedConvOp(ConvOp conv, String convName, BatchNormOp bn, String bnName, boolean residual,
                          ActivationOp activation) implements PlanarOp {

    @Override
    public String type() {
        return conv.type() + (bn != null ? "+bn" : "") + (residual ? "+add" : "")
                + (activation != null ? "+" + activation.type() : "");
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape out = conv.outputShape(inputs.subList(0, 1));
        if (residual && !inputs.get(1).equals(out)) {
            throw new ShapeException("residual input " + inputs.get(1) + " does not match the convolution's output " + out);
        }
        return out;
    }

    @Override
    public long macs(List<Shape> inputs, Shape output) {
        return conv.macs(inputs.subList(0, 1), output);
    }

    @Override
    public Window window(List<Shape> inputs) {
        return conv.window(inputs.subList(0, 1));
    }

    public FusedConvOp withBatchNorm(BatchNormOp op, String name) {
        return new FusedConvOp(conv, convName, op, name, residual, activation);
    }

    public FusedConvOp withResidual() {
        return new FusedConvOp(conv, convName, bn, bnName, true, activation);
    }

    public FusedConvOp withActivation(ActivationOp op) {
        return new FusedConvOp(conv, convName, bn, bnName, residual, op);
    }

    /** A plain convolution seen as a fusion of nothing, so passes handle both alike. */
    public static FusedConvOp of(ConvOp conv, String convName) {
        return new FusedConvOp(conv, convName, null, null, false, null);
    }

    /** The fused op's meaning spelled out step by step, unfused: what the optimized kernels must match. */
    @Override
    public void reference(Eval e) {
        float[] y = e.output();
        ConvReference.forward(e.x(), e.batch(), conv.geometry(e.in()), e.tensor(convName + ".weight"),
                conv.bias() ? e.tensor(convName + ".bias") : null, y);
        Shape out = e.out();
        int spatial = out.h() * out.w();
        if (bn != null) {
            String p = bnName + ".";
            BatchNormReference.forward(y.clone(), e.batch(), out.c(), spatial, e.tensor(p + "weight"), e.tensor(p + "bias"),
                    e.tensor(p + "running_mean"), e.tensor(p + "running_var"), bn.eps(), y);
        }
        if (residual) AddReference.forward(y.clone(), e.input(1), y);
        if (activation != null) ActivationReference.forward(activation.kind(), activation.alpha(), y.clone(), y);
    }

    /** A kernel prepared once with the chosen strategy, the weights and the epilogue; forward only runs it. */
    @Override
    public CodeBlock cpu(CpuCode c) {
        String k = "conv" + c.index();
        Choice choice = c.choice();
        c.field(ConvKernel.class, k, c.node().name() + ": " + choice.strategy() + " (" + choice.reason() + ")\n");
        // The strategy's constant: a strategy renamed or removed fails javac here, not a look-up at run time.
        c.setUp("$L = $T.$N.prepare($L, w.get($S), $T.of(w.get($S), $L, $L, $L), $L)", k,
                ConvStrategies.class, ConvStrategies.constantName(ConvStrategies.byName(choice.strategy())), RecordLiteral.of(conv.geometry(c.in())),
                convName + ".weight",
                Epilogue.class, convName + ".bias", residual,
                RecordLiteral.value(activation == null ? ActivationKind.IDENTITY : activation.kind()),
                activation == null ? "0.0" : Double.toString(activation.alpha()),
                choice.threads() == 1 ? "serial" : "parallel");
        return CodeBlock.of("$L.forward($L, $L, $L, BATCH)", k, c.x(), residual ? c.input(1) : "null", c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        String k = t.kernelName();
        t.kernel(t.loops().conv(k, conv.geometry(t.in()), t.batch(), residual, activation));
        String w = t.weight(convName + ".weight");
        String b = t.weightOrZeros(convName + ".bias", conv.outChannels());
        if (residual) t.call(k, t.x(), w, b, t.input(1), t.y());
        else t.call(k, t.x(), w, b, t.y());
    }

    /** Weights folded with the BatchNorm on the host, in the strategy's device layout; bias, residual and activation in the epilogue. */
    @Override
    public List<Launch> gpu(GpuCode g) {
        ConvGeometry geometry = conv.geometry(g.in());
        GpuConvStrategy strategy = g.convChoice().strategy();
        FoldedConvWeights folded = FoldedConvWeights.of(this, g::tensor);
        int w = g.upload(convName + ".weight" + (strategy == GpuConvStrategy.WINOGRAD ? " (winograd U)" : ""),
                strategy.deviceWeights(geometry, folded.weight()));
        int b = folded.bias() != null ? g.upload(convName + ".bias" + (bn != null ? " (bn folded)" : ""), folded.bias()) : Arg.NO_BUFFER;
        int res = residual ? g.input(1) : Arg.NO_BUFFER;
        return strategy.launches(geometry, g.batch(), new ConvBuffers(g.x(), w, b, res, g.y(), g.workspaceA(), g.workspaceB()),
                activation == null ? GpuActivation.NONE : GpuActivation.code(activation.kind()),
                activation == null ? 0f : (float) activation.alpha());
    }

    @Override
    public List<String> attributes() {
        List<String> a = new ArrayList<>();
        a.add("conv=" + convName);
        a.addAll(conv.attributes());
        if (bn != null) {
            a.add("bn=" + bnName);
            a.addAll(bn.attributes().stream().map(s -> "bn." + s).toList());
        } else {
            a.add("bn=none");
        }
        a.add("residual=" + residual);
        if (activation == null) a.add("act=none");
        else a.add("act=" + activation.type() + (activation.attributes().isEmpty() ? "" : "(" + String.join(", ", activation.attributes()) + ")"));
        return a;
    }
}
