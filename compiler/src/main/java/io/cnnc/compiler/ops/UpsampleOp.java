package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.codegen.tornado.LoopKernelWriter;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.cpu.Upsample;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
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
        LoopKernelWriter k = t.loops();
        int inH = s.h(), inW = s.w(), outH = inH * scaleH, outW = inW * scaleW;
        MethodSpec.Builder m = k.method(t.kernelName(), "x", "y");
        m.beginControlFlow("$L", k.loop("nc", (long) t.batch() * s.c()));
        m.beginControlFlow("$L", k.loop("p", (long) outH * outW));
        m.addStatement("int oy = p / $L", outW).addStatement("int ox = p % $L", outW).addStatement("int base = nc * $L", inH * inW);
        if (!bilinear()) {
            m.addStatement("y[nc * $L + p] = x[base + (oy / $L) * $L + ox / $L]", outH * outW, scaleH, inW, scaleW);
        } else {
            m.addStatement("float sy = $L", tornadoSource(k, "oy", inH, scaleH))
                    .addStatement("float sx = $L", tornadoSource(k, "ox", inW, scaleW))
                    .addStatement("int y0 = (int) sy").addStatement("int x0 = (int) sx")
                    .addStatement("int y1 = y0 < $L ? y0 + 1 : y0", inH - 1).addStatement("int x1 = x0 < $L ? x0 + 1 : x0", inW - 1)
                    .addStatement("float ly = sy - y0").addStatement("float lx = sx - x0")
                    .addStatement("float top = (1f - lx) * x[base + y0 * $L + x0] + lx * x[base + y0 * $L + x1]", inW, inW)
                    .addStatement("float bottom = (1f - lx) * x[base + y1 * $L + x0] + lx * x[base + y1 * $L + x1]", inW, inW)
                    .addStatement("y[nc * $L + p] = (1f - ly) * top + ly * bottom", outH * outW);
        }
        m.endControlFlow().endControlFlow();
        t.kernel(m.build());
        t.call(t.kernelName(), t.x(), t.y());
    }

    /** The bilinear source coordinate of output index {@code d}; it never passes in - 1, so only the next index needs a clamp. */
    private CodeBlock tornadoSource(LoopKernelWriter k, String d, int in, int scale) {
        int out = in * scale;
        if (alignCorners) return out > 1 ? CodeBlock.of("(float) ($L * $L) / $Lf", d, in - 1, out - 1) : CodeBlock.of("0f");
        return CodeBlock.of("$T.max(0f, ($L + 0.5f) / $Lf - 0.5f)", k.math(), d, scale);
    }

    @Override
    public List<Launch> gpu(GpuCode g) {
        Shape s = g.in();
        long total = (long) g.batch() * s.c() * s.h() * scaleH * s.w() * scaleW;
        return List.of(Launch.linear("upsample_layer", total, List.of(Arg.buffer(g.x()), Arg.buffer(g.y()), Arg.of(Math.toIntExact(total)),
                Arg.of(s.h()), Arg.of(s.w()), Arg.of(scaleH), Arg.of(scaleW), Arg.flag(bilinear()), Arg.flag(alignCorners))));
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
