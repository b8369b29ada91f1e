package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxModel.TensorData;
import io.cnnc.kernels.cpu.ChannelSlice;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import java.util.List;
import java.util.Set;

/**
 * Channels {@code [start, end)} of its input, as PyTorch's {@code x[:, start:end]}: how
 * ShuffleNetV2 splits a tensor in two ({@code x.chunk(2, dim=1)}). Its gradient is dy in
 * those channels and zero in the others.
 */
public record SliceOp(int start, int end) implements CommonOp, GpuTrainable {

    public SliceOp {
        if (start < 0 || end <= start) throw new IllegalArgumentException("slice needs 0 <= start < end, got " + start + ", " + end);
    }

    @Override
    public String type() {
        return "slice";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape in = inputs.getFirst();
        if (end > in.c()) throw new ShapeException("channels " + start + " to " + end + " reach past the input's " + in.c());
        return new Shape(end - start, in.h(), in.w());
    }

    @Override
    public List<String> attributes() {
        return List.of("start=" + start, "end=" + end);
    }

    @Override
    public void reference(Eval e) {
        ChannelSlice.reference(e.x(), e.batch(), e.in().c(), start, end, e.spatial(), e.output());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        return CodeBlock.of("$T.forward($L, BATCH, $L, $L, $L, $L, $L, " + c.threads() + ")", ChannelSlice.class, c.x(), c.in().c(), start, end,
                c.spatial(), c.y());
    }

    /** Every element of dx is written: the slice's channels from dy, the rest zero. */
    @Override
    public boolean overwrites() {
        return true;
    }

    /** The gradient needs only shapes. */
    @Override
    public BackwardReads backwardReads() {
        return BackwardReads.NOTHING;
    }

    @Override
    public void backward(Eval e, Gradient g) {
        if (g.dx() != null) ChannelSlice.backward(g.dy(), e.batch(), e.in().c(), start, end, e.spatial(), g.dx());
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        return CodeBlock.of("$T.backward($L, BATCH, $L, $L, $L, $L, $L)", ChannelSlice.class, c.dy(), c.in().c(), start, end, c.spatial(), c.dx());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        int spatial = s.h() * s.w();
        int run = (end - start) * spatial;
        MethodSpec.Builder m = t.loops().method(t.kernelName(), "x", "y");
        m.beginControlFlow("$L", t.loops().loop("n", t.batch()));
        m.beginControlFlow("$L", t.loops().loop("i", run));
        m.addStatement("y[n * $L + i] = x[n * $L + $L + i]", run, s.c() * spatial, start * spatial);
        m.endControlFlow().endControlFlow();
        t.kernel(m.build());
        t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        return List.of(forward(g.x(), g.y(), g.batch(), g.in()));
    }

    /** The sample's run of the slice's channels copied out: concat's backward copy with beta 0. */
    private Launch forward(int x, int y, int batch, Shape in) {
        int spatial = in.h() * in.w();
        return TrainingLaunches.copyFrom(x, y, batch, (end - start) * spatial, in.c() * spatial, start * spatial, 0f);
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return List.of(forward(t.x(), t.y(), t.batch(), t.in()));
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (!t.needsDx(0)) return;
        int spatial = t.in().h() * t.in().w();
        out.add(TrainingLaunches.sliceBackward(t.dy(), t.dx(0), t.batch(), (end - start) * spatial, t.in().c() * spatial, start * spatial,
                t.beta(0)));
    }

    /** ONNX Slice on axis 1, step 1. */
    @Override
    public String onnx(OnnxCode o) {
        return o.node("Slice", List.of(o.x(), o.ints(start), o.ints(end), o.ints(1), o.ints(1)), o.output());
    }

    /**
     * ONNX Slice of a computed value along the channels (axis 1), step 1; starts and ends as
     * attributes (before opset 10) or constant inputs, clamped as ONNX clamps them. A Slice of a
     * constant (shape arithmetic) never reaches this: the importer folds it.
     */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Slice"), SliceOp::fromOnnx);

    private static void fromOnnx(OnnxImport n) throws OnnxImport.Refused {
        OnnxImport.Value x = n.in(0);
        boolean attributes = n.opset() < 10;
        long[] starts = attributes ? n.node().ints("starts", null) : ints(n, 1, "starts");
        long[] ends = attributes ? n.node().ints("ends", null) : ints(n, 2, "ends");
        long[] axes = attributes ? n.node().ints("axes", null) : (n.node().inputs().size() > 3 && !n.node().inputs().get(3).isEmpty() ? ints(n, 3, "axes") : null);
        long[] steps = !attributes && n.node().inputs().size() > 4 && !n.node().inputs().get(4).isEmpty() ? ints(n, 4, "steps") : null;
        if (starts == null || ends == null || starts.length != 1 || ends.length != 1) {
            throw new OnnxImport.Refused("slices more than one axis (cnnc's slice takes a range of channels)");
        }
        long axis = axes == null ? 0 : axes[0];
        if (axis < 0) axis += x.rank();
        if (axis != 1) throw new OnnxImport.Refused("slices axis " + axis + " (cnnc's slice takes a range of channels, axis 1)");
        if (steps != null && steps[0] != 1) throw new OnnxImport.Refused("step " + steps[0] + " (cnnc's slice takes every channel of its range)");
        int[] range = clamp(starts[0], ends[0], x.c());
        n.emit(x, "slice(" + range[0] + ", " + range[1] + ")", range[1] - range[0], x.h(), x.w(), x.rank());
    }

    /**
     * ONNX Split along the channels: each output a slice. The sizes come from the split input
     * (opset 13), the split attribute (before it) or equal parts.
     */
    public static final OnnxImportRule ONNX_IMPORT_SPLIT = OnnxImportRule.total(Set.of("Split"), SliceOp::splitFromOnnx);

    private static void splitFromOnnx(OnnxImport n) throws OnnxImport.Refused {
        OnnxImport.Value x = n.in(0);
        long axis = n.node().integer("axis", 0);
        if (axis < 0) axis += x.rank();
        if (axis != 1) throw new OnnxImport.Refused("splits axis " + axis + " (cnnc's slice takes a range of channels, axis 1)");
        int parts = n.node().outputs().size();
        long[] sizes = n.opset() >= 13 ? (n.node().inputs().size() > 1 && !n.node().inputs().get(1).isEmpty() ? ints(n, 1, "split") : null)
                : n.node().ints("split", null);
        if (sizes == null) {
            if (x.c() % parts != 0) throw new OnnxImport.Refused(x.c() + " channels do not split into " + parts + " equal parts");
            sizes = new long[parts];
            java.util.Arrays.fill(sizes, x.c() / parts);
        }
        if (sizes.length != parts || java.util.Arrays.stream(sizes).sum() != x.c() || java.util.Arrays.stream(sizes).anyMatch(s -> s <= 0)) {
            throw new OnnxImport.Refused("split sizes " + java.util.Arrays.toString(sizes) + " do not cut " + x.c() + " channels into "
                    + parts + " parts");
        }
        int at = 0;
        for (int i = 0; i < parts; i++) {
            int next = at + (int) sizes[i];
            n.emitOutput(i, x.name() + " -> slice(" + at + ", " + next + ")", next - at, x.h(), x.w(), x.rank());
            at = next;
        }
    }

    private static long[] ints(OnnxImport n, int input, String what) throws OnnxImport.Refused {
        TensorData t = n.constant(input);
        if (t == null || !t.isInteger()) throw new OnnxImport.Refused(what + " must be computable while importing");
        return t.longs();
    }

    /** ONNX's clamping of a step-1 range on an axis of {@code size}: negative from the end, then into [0, size]. */
    private static int[] clamp(long start, long end, int size) throws OnnxImport.Refused {
        if (start < 0) start += size;
        if (end < 0) end += size;
        start = Math.max(0, Math.min(start, size));
        end = Math.max(0, Math.min(end, size));
        if (end <= start) throw new OnnxImport.Refused("an empty range of channels");
        return new int[] {(int) start, (int) end};
    }
}
