package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.ir.IrPrinter;
import io.cnnc.compiler.ir.ParamSpec;
import io.cnnc.compiler.ir.ParamSpec.Init;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OnnxModel.TensorData;
import io.cnnc.kernels.cpu.GroupNorm;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.reference.GroupNormReference;
import java.util.List;
import java.util.Set;

/**
 * Group normalisation, as PyTorch's {@code nn.GroupNorm(groups, C, eps, affine)}: each sample's
 * channels in {@code groups} runs, each normalised over its mean and variance together, then an
 * optional scale and shift per channel. {@code instancenorm} is this with one group per channel
 * ({@code groups} 0 here), as {@code nn.InstanceNorm2d} without running statistics.
 */
public record GroupNormOp(String type, int groups, double eps, boolean affine) implements CommonOp, GpuTrainable {

    /** The groups for an input of {@code c} channels. */
    public int groupsOf(int c) {
        return groups == 0 ? c : groups;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape in = inputs.getFirst();
        if (in.c() % groupsOf(in.c()) != 0) throw new ShapeException("input channels " + in.c() + " are not divisible by groups=" + groups);
        return in;
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        if (!affine) return List.of();
        int[] c = {inputs.getFirst().c()};
        return List.of(new ParamSpec("weight", c, true, Init.constant(1)), new ParamSpec("bias", c, true, Init.constant(0)));
    }

    @Override
    public List<String> attributes() {
        return groups == 0 ? List.of("eps=" + IrPrinter.num(eps), "affine=" + affine)
                : List.of("groups=" + groups, "eps=" + IrPrinter.num(eps), "affine=" + affine);
    }

    @Override
    public void reference(Eval e) {
        Shape s = e.in();
        GroupNormReference.forward(e.x(), e.batch(), s.c(), e.spatial(), groupsOf(s.c()), affine ? e.param("weight") : null,
                affine ? e.param("bias") : null, eps, e.output());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        Shape s = c.in();
        return CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L, $L, $L, $L)", GroupNorm.class, c.x(), s.c(), c.spatial(), groupsOf(s.c()),
                affine ? c.weight("weight") : "null", affine ? c.weight("bias") : "null", Double.toString(eps), c.y());
    }

    /** dx is written in full; the parameter gradients are added into. */
    @Override
    public boolean overwrites() {
        return true;
    }

    /** The gradient recomputes the statistics from the input. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.INPUTS;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        Shape s = e.in();
        GroupNorm.backward(e.x(), g.dy(), e.batch(), s.c(), e.spatial(), groupsOf(s.c()), affine ? e.param("weight") : null, eps, g.dx(),
                affine ? g.grad("weight") : null, affine ? g.grad("bias") : null);
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        Shape s = c.in();
        return CodeBlock.of("$T.backward($L, $L, BATCH, $L, $L, $L, $L, $L, $L, $L, $L)", GroupNorm.class, c.x(), c.dy(), s.c(), c.spatial(),
                groupsOf(s.c()), affine ? c.param("weight") : "null", Double.toString(eps), c.dx(), affine ? c.grad("weight") : "null",
                affine ? c.grad("bias") : "null");
    }

    /** One loop item per (sample, group), as the GPU kernel. */
    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        int g = groupsOf(s.c());
        int per = s.c() / g;
        int spatial = s.h() * s.w();
        int count = per * spatial;
        MethodSpec.Builder m = affine ? t.loops().method(t.kernelName(), "x", "w", "b", "y") : t.loops().method(t.kernelName(), "x", "y");
        m.beginControlFlow("$L", t.loops().loop("ng", (long) t.batch() * g));
        m.addStatement("int base = ng * $L", count).addStatement("float mean = 0f");
        m.addStatement("for (int k = 0; k < $L; k++) mean += x[base + k]", count).addStatement("mean = mean / $Lf", count);
        m.addStatement("float var = 0f");
        m.addStatement("for (int k = 0; k < $L; k++) var += (x[base + k] - mean) * (x[base + k] - mean)", count);
        m.addStatement("float inv = 1f / (float) $T.sqrt(var / $Lf + $Lf)", t.loops().math(), count, (float) eps);
        m.beginControlFlow("for (int k = 0; k < $L; k++)", count);
        if (affine) {
            m.addStatement("int c = (ng % $L) * $L + k / $L", g, per, spatial).addStatement("y[base + k] = (x[base + k] - mean) * inv * w[c] + b[c]");
        } else {
            m.addStatement("y[base + k] = (x[base + k] - mean) * inv");
        }
        m.endControlFlow().endControlFlow();
        t.kernel(m.build());
        if (affine) t.call(t.kernelName(), t.x(), t.param("weight"), t.param("bias"), t.y());
        else t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        Shape s = g.in();
        return List.of(LayerLaunches.groupNorm(g.x(), affine ? g.weight("weight") : Arg.NO_BUFFER, affine ? g.weight("bias") : Arg.NO_BUFFER, g.y(),
                g.batch(), s.c(), g.spatial(), groupsOf(s.c()), (float) eps));
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        Shape s = t.in();
        return List.of(LayerLaunches.groupNorm(t.x(), affine ? t.param("weight") : Arg.NO_BUFFER, affine ? t.param("bias") : Arg.NO_BUFFER, t.y(),
                t.batch(), s.c(), t.spatial(), groupsOf(s.c()), (float) eps));
    }

    /** The statistics again from the input, then dx and the parameter gradients. */
    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        Shape s = t.in();
        int g = groupsOf(s.c());
        boolean learns = affine && !t.frozen();
        if (!t.needsDx(0) && !learns) return;
        int stats = t.workspace(t.node().name() + " group statistics", 4L * t.batch() * g);
        out.addAll(io.cnnc.kernels.gpu.TrainingLaunches.groupNormBackward(t.x(), t.dy(), affine ? t.param("weight") : Arg.NO_BUFFER, stats,
                t.needsDx(0) ? t.dx(0) : Arg.NO_BUFFER, learns ? t.grad("weight") : Arg.NO_BUFFER, learns ? t.grad("bias") : Arg.NO_BUFFER,
                t.batch(), s.c(), t.spatial(), g, (float) eps, t.needsDx(0) ? t.beta(0) : 0f));
    }

    /**
     * InstanceNormalization; a group norm as PyTorch writes it before opset 18's GroupNormalization:
     * Reshape to [N, G, -1], InstanceNormalization with unit scale and zero bias, Reshape back,
     * then Mul and Add by the per-channel weight and bias.
     */
    @Override
    public String onnx(OnnxCode o) {
        Shape s = o.in();
        int g = groupsOf(s.c());
        if (groups == 0) {
            String scale = affine ? o.weight("weight", s.c()) : o.floats(ones(s.c()));
            String bias = affine ? o.weight("bias", s.c()) : o.floats(new float[s.c()]);
            return o.node("InstanceNormalization", List.of(o.x(), scale, bias), o.output(), Attribute.of("epsilon", (float) eps));
        }
        String grouped = o.node("Reshape", List.of(o.x(), o.ints(0, g, -1)), o.temp());
        String norm = o.node("InstanceNormalization", List.of(grouped, o.floats(ones(g)), o.floats(new float[g])), o.temp(),
                Attribute.of("epsilon", (float) eps));
        if (!affine) return o.node("Reshape", List.of(norm, o.ints(0, s.c(), s.h(), s.w())), o.output());
        String back = o.node("Reshape", List.of(norm, o.ints(0, s.c(), s.h(), s.w())), o.temp());
        String scaled = o.node("Mul", List.of(back, o.weight("weight", s.c(), 1, 1)), o.temp());
        return o.node("Add", List.of(scaled, o.weight("bias", s.c(), 1, 1)), o.output());
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    /** A value reshaped to [N, G, -1] on its way to a group norm. */
    private record Grouped(OnnxImport.Value source, int groups) implements OnnxImport.Held {
        @Override
        public String misuse() {
            return "a [N, " + groups + ", -1] view of a 4-D value, which cnnc imports only as part of a group norm";
        }
    }

    /** A group-normalised [N, G, -1] view, waiting for the Reshape back to [N, C, H, W]. */
    private record GroupNormed(OnnxImport.Value source, int groups, float eps) implements OnnxImport.Held {
        @Override
        public String misuse() {
            return "a group-normalised [N, " + groups + ", -1] view, which must be reshaped back to [N, C, H, W]";
        }
    }

    /**
     * Reshape to [N, G, -1] of a 4-D value (held for InstanceNormalization), and the Reshape of a
     * group-normalised view back to [N, C, H, W] (the group norm, unscaled; the Mul and Add after
     * it import as scale and shift).
     */
    public static final OnnxImportRule ONNX_IMPORT_RESHAPE = OnnxImportRule.pattern(Set.of("Reshape"), n -> {
        if (n.held(0) instanceof GroupNormed normed) {
            OnnxImport.Value x = normed.source();
            long[] to = n.reshapeTarget();
            if (to.length != 4 || to[1] != x.c() && to[1] != 0 || to[2] != x.h() || to[3] != x.w()) {
                throw new OnnxImport.Refused("a group-normalised view reshaped to " + java.util.Arrays.toString(to) + " (back to [N, " + x.c() + ", "
                        + x.h() + ", " + x.w() + "] only)");
            }
            n.emit(x, "groupnorm(" + normed.groups() + ", eps=" + OnnxImport.fmt(normed.eps()) + ", affine=false)", x.c(), x.h(), x.w(), 4);
            return true;
        }
        OnnxImport.Value x = n.computed(0);
        TensorData shape = n.constant(1);
        if (x == null || x.rank() != 4 || shape == null || !shape.isInteger() || shape.longs().length != 3) return false;
        long[] to = shape.longs();
        if (to[2] != -1 && to[2] * to[1] != (long) x.c() * x.h() * x.w() || to[1] <= 0 || x.c() % to[1] != 0) return false;
        n.hold(new Grouped(x, (int) to[1]));
        return true;
    });

    /**
     * InstanceNormalization of a [N, C, H, W] value (instancenorm, its scale and bias the layer's
     * weights), or of a [N, G, -1] view (a group norm, with unit scale and zero bias).
     */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("InstanceNormalization"), n -> {
        float eps = n.node().number("epsilon", 1e-5f);
        TensorData scale = n.constant(1);
        TensorData bias = n.constant(2);
        if (scale == null || bias == null) throw new OnnxImport.Refused("scale and bias must be constants");
        if (n.held(0) instanceof Grouped g) {
            float[] s = OnnxImport.floats(scale, "scale");
            float[] b = OnnxImport.floats(bias, "bias");
            for (int i = 0; i < s.length; i++) {
                if (s[i] != 1f || b[i] != 0f) throw new OnnxImport.Refused("a grouped view normalised with a scale or bias of its own (a group norm has 1 and 0)");
            }
            n.hold(new GroupNormed(g.source(), g.groups(), eps));
            return;
        }
        OnnxImport.Value x = n.in(0);
        if (x.rank() != 4) throw new OnnxImport.Refused("a rank-" + x.rank() + " input (cnnc's instancenorm takes [N, C, H, W])");
        String name = n.layerName("instancenorm");
        n.weight(name + ".weight", OnnxImport.broadcast(scale, x.c()), x.c());
        n.weight(name + ".bias", OnnxImport.broadcast(bias, x.c()), x.c());
        n.emit(x, "instancenorm(eps=" + OnnxImport.fmt(eps) + ", affine=true, name=\"" + name + "\")", x.c(), x.h(), x.w(), 4);
    });
}
