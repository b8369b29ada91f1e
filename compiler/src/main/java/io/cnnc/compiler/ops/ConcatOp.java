package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.backward.MergeBackward;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import io.cnnc.kernels.gpu.TrainingLaunches;
import io.cnnc.kernels.reference.ConcatReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Joins values along channels; heights and widths must agree. */
public record ConcatOp() implements CommonOp, GpuTrainable {

    @Override
    public String type() {
        return "concat";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) throws ShapeException {
        Shape first = inputs.getFirst();
        long channels = 0;
        for (Shape s : inputs) {
            if (s.h() != first.h() || s.w() != first.w()) {
                throw new ShapeException("concat needs equal heights and widths: " + first + " vs " + s);
            }
            channels += s.c();
        }
        if (channels > Integer.MAX_VALUE) throw new ShapeException("concat would have " + channels + " channels");
        return new Shape((int) channels, first.h(), first.w());
    }

    @Override
    public void reference(Eval e) {
        ConcatReference.channels(e.inputs().toArray(float[][]::new), e.inputChannels(), e.batch(), e.spatial(), e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        float[][] outs = new float[g.dxs().length][];
        for (int i = 0; i < outs.length; i++) outs[i] = Gradient.orScratch(g.dx(i), e.input(i).length);
        MergeBackward.concat(g.dy(), e.inputChannels(), e.batch(), e.spatial(), outs);
    }

    @Override
    public CodeBlock backward(TrainingCode c) {
        CodeBlock.Builder outs = CodeBlock.builder();
        CodeBlock.Builder channels = CodeBlock.builder();
        for (int i = 0; i < c.node().inputs().size(); i++) {
            Shape in = c.node().inputShapes().get(i);
            String dx = c.dx(i);
            outs.add(i == 0 ? "$L" : ", $L", dx.equals("null") ? c.scratch(Math.toIntExact(c.batch() * in.size())) : dx);
            channels.add(i == 0 ? "$L" : ", $L", in.c());
        }
        return CodeBlock.of("$T.concat($L, new int[] {$L}, BATCH, $L, new float[][] {$L})", MergeBackward.class, c.dy(), channels.build(), c.spatial(),
                outs.build());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        CodeBlock.Builder arrays = CodeBlock.builder();
        CodeBlock.Builder channels = CodeBlock.builder();
        for (int i = 0; i < c.node().inputs().size(); i++) {
            arrays.add(i == 0 ? "$L" : ", $L", c.input(i));
            channels.add(i == 0 ? "$L" : ", $L", c.node().inputShapes().get(i).c());
        }
        return CodeBlock.of("$T.channels(new float[][] {$L}, new int[] {$L}, BATCH, $L, $L)", ConcatReference.class,
                arrays.build(), channels.build(), c.spatial(), c.y());
    }

    /** One kernel per operand, each copying it to its channels of the output. */
    @Override
    public void tornado(TornadoCode t) {
        int total = Math.toIntExact(t.node().output().shape().size());
        int offset = 0;
        for (int i = 0; i < t.node().inputs().size(); i++) {
            int size = Math.toIntExact(t.node().inputShapes().get(i).size());
            String k = t.kernelName(i);
            t.kernel(t.loops().concatPart(k, t.batch(), size, total, offset));
            t.call(k, t.input(i), t.y());
            offset += size;
        }
    }

    /** One copy per operand into its channels of the output. */
    @Override
    public List<Launch> gpu(GpuCode g) {
        List<Launch> parts = new ArrayList<>();
        int total = Math.toIntExact(g.node().output().shape().size());
        int offset = 0;
        for (int i = 0; i < g.node().inputs().size(); i++) {
            int part = Math.toIntExact(g.node().inputShapes().get(i).size());
            parts.add(LayerLaunches.copyInto(g.input(i), g.y(), g.batch(), part, total, offset));
            offset += part;
        }
        return parts;
    }

    @Override
    public String onnx(OnnxCode o) {
        List<String> in = new ArrayList<>();
        for (int i = 0; i < o.node().inputs().size(); i++) in.add(o.input(i));
        return o.node("Concat", in, o.output(), Attribute.of("axis", 1L));
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        List<Launch> parts = new ArrayList<>();
        int total = Math.toIntExact(t.node().output().shape().size());
        int offset = 0;
        for (int i = 0; i < t.node().inputs().size(); i++) {
            int part = Math.toIntExact(t.node().inputShapes().get(i).size());
            parts.add(LayerLaunches.copyInto(t.input(i), t.y(), t.batch(), part, total, offset));
            offset += part;
        }
        return parts;
    }

    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        int total = Math.toIntExact(t.node().output().shape().size());
        int offset = 0;
        for (int i = 0; i < t.node().inputs().size(); i++) {
            int part = Math.toIntExact(t.node().inputShapes().get(i).size());
            if (t.needsDx(i)) {
                float beta = t.beta(i);
                out.add(TrainingLaunches.copyFrom(t.dy(), t.dx(i), t.batch(), part, total, offset, beta));
            }
            offset += part;
        }
    }

    /** ONNX Concat of computed values along the channels (concatenated constants are folded by the importer). */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Concat"), n -> {
        long axis = n.node().integer("axis", 1);
        List<OnnxImport.Value> parts = new ArrayList<>();
        for (int i = 0; i < n.node().inputs().size(); i++) parts.add(n.in(i));
        if (axis != 1 && !(axis == -3 && parts.getFirst().rank() == 4)) throw new OnnxImport.Refused("Concat along axis " + axis + " (cnnc joins channels)");
        if (parts.size() == 1) {
            n.alias(parts.getFirst());   // DenseNet's first layer concatenates one tensor
            return;
        }
        int c = parts.stream().mapToInt(OnnxImport.Value::c).sum();
        n.emit("concat(" + String.join(", ", parts.stream().map(OnnxImport.Value::name).toList()) + ")",
                c, parts.getFirst().h(), parts.getFirst().w(), parts.getFirst().rank());
    });
}
