package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.cpu.Upsample;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.LayerLaunches;
import java.util.List;

/**
 * PyTorch's {@code nn.Upsample(scale_factor=(scaleH, scaleW), mode, align_corners)} by integer
 * factors. MACs count 0, as for pooling: the interpolation weights are not learned.
 */
public record UpsampleOp(int scaleH, int scaleW, Mode mode, boolean alignCorners) implements CommonOp {

    public enum Mode {
        NEAREST, BILINEAR;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public UpsampleOp {
        if (alignCorners && mode != Mode.BILINEAR) throw new IllegalArgumentException("align_corners needs bilinear");
    }

    @Override
    public String type() {
        return "upsample";
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.getFirst();
        return new Shape(in.c(), Math.multiplyExact(in.h(), scaleH), Math.multiplyExact(in.w(), scaleW));
    }

    /**
     * Nearest reads one input, bilinear a 2x2 neighbourhood. The true stride is 1/scale, which a
     * Window cannot hold, so later layers' receptive fields are upper bounds (stride 1).
     */
    @Override
    public Window window(List<Shape> inputs) {
        return mode == Mode.BILINEAR ? new Window(2, 2, 1, 1, 1, 1) : Window.POINTWISE;
    }

    private boolean bilinear() {
        return mode == Mode.BILINEAR;
    }

    @Override
    public void reference(Eval e) {
        Shape s = e.in();
        Upsample.reference(e.x(), e.batch() * s.c(), s.h(), s.w(), scaleH, scaleW, bilinear(), alignCorners, e.output());
    }

    @Override
    public void backward(Eval e, Gradient g) {
        Shape s = e.in();
        if (g.dx() != null) Upsample.backward(g.dy(), e.batch() * s.c(), s.h(), s.w(), scaleH, scaleW, bilinear(), alignCorners, g.dx());
    }

    @Override
    public CodeBlock cpu(CpuCode c) {
        Shape s = c.in();
        return CodeBlock.of("$T.forward($L, BATCH * $L, $L, $L, $L, $L, $L, $L, $L, " + c.threads() + ")", Upsample.class, c.x(),
                s.c(), s.h(), s.w(), scaleH, scaleW, bilinear(), alignCorners, c.y());
    }

    @Override
    public void tornado(TornadoCode t) {
        Shape s = t.in();
        t.kernel(t.loops().upsample(t.kernelName(), t.batch() * s.c(), s.h(), s.w(), scaleH, scaleW, bilinear(), alignCorners));
        t.call(t.kernelName(), t.x(), t.y());
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        Shape s = g.in();
        return List.of(LayerLaunches.upsample(g.x(), g.y(), g.batch() * s.c(), s.h(), s.w(), scaleH, scaleW, bilinear(), alignCorners));
    }

    @Override
    public List<String> attributes() {
        return List.of("scale=" + scaleH + "x" + scaleW, "mode=" + mode.word(), "align_corners=" + alignCorners);
    }

    /** Resize with the coordinate rules PyTorch's exporter writes for nn.Upsample at opset 17. */
    @Override
    public String onnx(OnnxCode o) {
        String scales = o.floats(1f, 1f, scaleH, scaleW);
        List<String> inputs = List.of(o.x(), "", scales);
        if (!bilinear()) {
            return o.node("Resize", inputs, o.output(), Attribute.of("mode", "nearest"),
                    Attribute.of("coordinate_transformation_mode", "asymmetric"), Attribute.of("nearest_mode", "floor"));
        }
        return o.node("Resize", inputs, o.output(), Attribute.of("mode", "linear"),
                Attribute.of("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel"));
    }
}
