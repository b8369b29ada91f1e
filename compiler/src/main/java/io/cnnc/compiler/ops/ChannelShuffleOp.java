package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.cpu.ChannelShuffle;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import java.util.List;
import java.util.Set;

/**
 * PyTorch's {@code nn.ChannelShuffle(groups)} (ShuffleNet): output channel {@code i * groups + j}
 * is input channel {@code j * (C / groups) + i}. Its gradient is the shuffle with
 * {@code C / groups} groups, the inverse permutation.
 */
public record ChannelShuffleOp(int groups) implements CommonOp, GpuTrainable {

    @Override
    public String type() {
        return "channelshuffle";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape in = inputs.getFirst();
        if (in.c() % groups != 0) {
            throw new ShapeException("input channels " + in.c() + " are not divisible by groups=" + groups);
        }
        return in;
    }

    @Override
    public List<String> attributes() {
        return List.of("groups=" + groups);
    }

    @Override
    public void reference(Eval e) {
        ChannelShuffle.reference(e.x(), e.batch(), e.in().c(), groups, e.spatial(), e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        if (g.dx() != null) ChannelShuffle.backward(g.dy(), e.batch(), e.in().c(), groups, e.spatial(), g.dx());
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        return CodeBlock.of("$T.backward($L, BATCH, $L, $L, $L, $L)", ChannelShuffle.class, c.dy(), c.in().c(), groups, c.spatial(), c.dx());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L, " + c.threads() + ")", ChannelShuffle.class, c.x(), c.in().c(), groups,
                c.spatial(), c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        int channels = s.c();
        int spatial = s.h() * s.w();
        MethodSpec.Builder m = t.loops().method(t.kernelName(), "x", "y");
        m.beginControlFlow("$L", t.loops().loop("p", (long) t.batch() * channels));
        m.beginControlFlow("$L", t.loops().loop("s", spatial));
        m.addStatement("int c = p % $L", channels);
        m.addStatement("y[p * $L + s] = x[(p - c + (c % $L) * $L + c / $L) * $L + s]", spatial, groups, channels / groups, groups, spatial);
        m.endControlFlow().endControlFlow();
        t.kernel(m.build());
        t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of(launch(g.x(), g.y(), g.batch(), g.in(), groups, 0f));
    }

    /**
     * The GPU kernel shuffling buffer {@code x} into {@code y}; {@code beta} 1 adds to {@code y}
     * (a training gradient reaching a value twice). The backward pass is this with
     * {@code C / groups} groups.
     */
    public static Launch launch(int x, int y, int batch, Shape s, int groups, float beta) {
        int count = Math.toIntExact(s.size() * batch);
        long global = (Math.max(count, 1) + 63L) / 64 * 64;
        return new Launch("channel_shuffle", new long[] {global, 1, 1}, new long[] {64, 1, 1}, List.of(Arg.buffer(x), Arg.buffer(y),
                Arg.of(count), Arg.of(s.c()), Arg.of(groups), Arg.of(s.h() * s.w()), Arg.of(beta)));
    }

    /** Reshape to [N, g, C/g, H, W], swap the two channel axes, reshape back: what PyTorch's exporter writes. */
    @Override
    public String onnx(OnnxCode o) {
        Shape s = o.in();
        String split = o.node("Reshape", List.of(o.x(), o.ints(0, groups, s.c() / groups, s.h(), s.w())), o.temp());
        String swapped = o.node("Transpose", List.of(split), o.temp(), Attribute.of("perm", 0L, 2L, 1L, 3L, 4L));
        return o.node("Reshape", List.of(swapped, o.ints(0, s.c(), s.h(), s.w())), o.output());
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return List.of(launch(t.x(), t.y(), t.batch(), t.in(), groups, 0f));
    }

    /** The inverse permutation is the shuffle with C / groups groups. */
    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (t.needsDx(0)) out.add(launch(t.dy(), t.dx(0), t.batch(), t.in(), t.in().c() / groups, t.beta(0)));
    }

    /** The pattern PyTorch writes for a channel shuffle (nn.ChannelShuffle, ShuffleNet's view/transpose/view), for messages. */
    private static final String SHUFFLE = "(Reshape to [N, g, C/g, H, W], Transpose perm [0, 2, 1, 3, 4], Reshape to [N, C, H, W])";

    /** The [N, g, C/g, H, W] view of {@code source} on its way to a channel shuffle; {@code swapped} once transposed. */
    private record Split(OnnxImport.Value source, int groups, boolean swapped) implements OnnxImport.Held {
        long[] dims() {
            int per = source.c() / groups;
            return swapped ? new long[] {per, groups, source.h(), source.w()} : new long[] {groups, per, source.h(), source.w()};
        }

        @Override
        public String misuse() {
            return "a 5-D value that is not part of a channel shuffle " + SHUFFLE;
        }
    }

    /** The two Reshapes of a channel shuffle: into [N, g, C/g, H, W], and back once transposed. */
    public static final OnnxImportRule ONNX_IMPORT_RESHAPE = OnnxImportRule.pattern(Set.of("Reshape"), n -> {
        long[] t = n.reshapeTarget();
        if (n.held(0) instanceof Split split) {
            OnnxImport.Value x = split.source();
            long[] r = OnnxImport.perSample(t, split.dims());
            if (r == null || !java.util.Arrays.equals(r, new long[] {x.c(), x.h(), x.w()})) {
                throw new OnnxImport.Refused("a 5-D value must be reshaped back to [N, " + x.c() + ", " + x.h() + ", " + x.w() + "] " + SHUFFLE);
            }
            if (split.swapped()) n.emit(x, "channelshuffle(" + split.groups() + ")", x.c(), x.h(), x.w(), 4);
            else n.alias(x);
            return true;
        }
        OnnxImport.Value x = n.in(0);
        long[] r = OnnxImport.perSample(t, new long[] {x.c(), x.h(), x.w()});
        if (r == null || r.length != 4 || r[0] * r[1] != x.c() || r[2] != x.h() || r[3] != x.w()) return false;
        n.hold(new Split(x, (int) r[0], false));
        return true;
    });

    /** A channel shuffle's swap of the group and channel axes; other transposes have no .cnn layer. */
    public static final OnnxImportRule ONNX_IMPORT_TRANSPOSE = OnnxImportRule.total(Set.of("Transpose"), n -> {
        Split split = n.node().inputs().isEmpty() ? null : n.held(0) instanceof Split s ? s : null;
        if (split == null || split.swapped() || !java.util.Arrays.equals(n.node().ints("perm", new long[0]), new long[] {0, 2, 1, 3, 4})) {
            throw new OnnxImport.Refused("only the Transpose of a channel shuffle is supported " + SHUFFLE);
        }
        n.hold(new Split(split.source(), split.groups(), true));
    });
}
