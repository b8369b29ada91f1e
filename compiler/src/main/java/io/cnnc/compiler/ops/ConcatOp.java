package io.cnnc.compiler.ops;

import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.backward.MergeBackward;
import io.cnnc.kernels.reference.ConcatReference;
import java.util.List;

/** Joins values along channels; heights and widths must agree. */
public record ConcatOp() implements SourceOp, PlanarOp {

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
}
