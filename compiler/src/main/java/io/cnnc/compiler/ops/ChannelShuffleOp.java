package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.cpu.ChannelShuffle;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import java.util.List;

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
}
