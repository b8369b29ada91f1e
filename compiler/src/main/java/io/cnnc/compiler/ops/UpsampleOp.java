package io.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.codegen.tornado.LoopKernelWriter;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.kernels.OnnxModel;
import io.cnnc.kernels.OnnxModel.TensorData;
import io.cnnc.kernels.cpu.Upsample;
import io.cnnc.kernels.gpu.Arg;
import io.cnnc.kernels.gpu.Launch;
import io.cnnc.kernels.gpu.TrainingLaunches;
import java.util.List;
import java.util.Set;

/**
 * PyTorch's {@code nn.Upsample(scale_factor=(scaleH, scaleW), mode, align_corners)} by integer
 * factors. MACs count 0, as for pooling: the interpolation weights are not learned.
 */
public record UpsampleOp(int scaleH, int scaleW, Mode mode, boolean alignCorners) implements CommonOp, GpuTrainable {

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
    public CodeBlock backward(TrainingCode c) {
        if (c.dx().equals("null")) return CodeBlock.of("");
        Shape s = c.in();
        return CodeBlock.of("$T.backward($L, BATCH * $L, $L, $L, $L, $L, $L, $L, $L)", Upsample.class, c.dy(), s.c(), s.h(), s.w(), scaleH, scaleW,
                bilinear(), alignCorners, c.dx());
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
        return List.of(forwardLaunch(g.x(), g.y(), g.batch() * g.in().c(), g.in()));
    }

    private Launch forwardLaunch(int x, int y, int planes, Shape in) {
        long total = (long) planes * in.h() * scaleH * in.w() * scaleW;
        return Launch.linear("upsample_layer", total, List.of(Arg.buffer(x), Arg.buffer(y), Arg.of(Math.toIntExact(total)),
                Arg.of(in.h()), Arg.of(in.w()), Arg.of(scaleH), Arg.of(scaleW), Arg.flag(bilinear()), Arg.flag(alignCorners)));
    }

    @Override
    public List<Launch> gpuForward(GpuTrainingCode t) {
        return List.of(forwardLaunch(t.x(), t.y(), t.batch() * t.in().c(), t.in()));
    }

    /** The gradient gathered per input pixel (no atomics), as the forward weighed each output's sources. */
    @Override
    public void gpuBackward(GpuTrainingCode t, List<Launch> out) {
        if (!t.needsDx(0)) return;
        Shape s = t.in();
        out.add(TrainingLaunches.upsampleBackward(t.dy(), t.dx(0), t.batch() * s.c(), s.h(), s.w(), scaleH, scaleW, bilinear(), alignCorners, t.beta(0)));
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

    /**
     * ONNX Resize (and opset 7-9's Upsample): integer factors on H and W only, given by constant
     * scales or sizes, in the coordinate rules that mean PyTorch's nn.Upsample: nearest with
     * asymmetric/floor (or half-pixel/round, ONNX's default, the same at whole factors), and linear
     * with half_pixel (or pytorch_half_pixel) or align_corners.
     */
    public static final OnnxImportRule ONNX_IMPORT = OnnxImportRule.total(Set.of("Resize", "Upsample"), UpsampleOp::fromOnnx);

    private static void fromOnnx(OnnxImport n) throws OnnxImport.Refused {
        OnnxImport.Value x = n.in(0);
        if (x.rank() != 4) throw new OnnxImport.Refused("resizes a rank-" + x.rank() + " value; cnnc's upsample takes [N, C, H, W]");
        boolean old = n.node().opType().equals("Upsample");
        if (!old && n.opset() < 11) {
            throw new OnnxImport.Refused("Resize at opset " + n.opset() + " (before opset 11 it has no coordinate_transformation_mode; export at 11 or later)");
        }
        String mode = n.node().string("mode", "nearest");
        boolean bilinear;
        boolean align = false;
        if (mode.equals("nearest")) {
            bilinear = false;
            if (!old) {
                String ctm = n.node().string("coordinate_transformation_mode", "half_pixel");
                String rounding = n.node().string("nearest_mode", "round_prefer_floor");
                // At whole factors, half-pixel centres rounded to nearest land on floor(d / s) too: the fraction stays inside (-0.5, 0.5).
                boolean floor = ctm.equals("asymmetric") && rounding.equals("floor");
                boolean centres = (ctm.equals("half_pixel") || ctm.equals("pytorch_half_pixel"))
                        && (rounding.equals("round_prefer_floor") || rounding.equals("round_prefer_ceil"));
                if (!floor && !centres) {
                    throw new OnnxImport.Refused("nearest with coordinate_transformation_mode \"" + ctm + "\" and nearest_mode \"" + rounding
                            + "\" (cnnc's upsample takes \"asymmetric\" with \"floor\", as PyTorch exports, or half-pixel with round_prefer_*)");
                }
            }
        } else if (mode.equals("linear") && !old) {
            bilinear = true;
            String ctm = n.node().string("coordinate_transformation_mode", "half_pixel");
            align = ctm.equals("align_corners");
            if (!align && !ctm.equals("half_pixel") && !ctm.equals("pytorch_half_pixel")) {
                throw new OnnxImport.Refused("linear with coordinate_transformation_mode \"" + ctm
                        + "\" (cnnc's upsample takes \"half_pixel\", \"pytorch_half_pixel\" or \"align_corners\")");
            }
        } else {
            throw new OnnxImport.Refused("mode \"" + mode + "\"" + (old ? " in Upsample (only nearest; linear there is not PyTorch's bilinear)"
                    : " (cnnc's upsample takes nearest or linear)"));
        }
        if (n.node().ints("axes", null) != null) throw new OnnxImport.Refused("the axes attribute (cnnc's upsample resizes H and W of [N, C, H, W])");
        long[] factor = resizeFactors(n, x, old);
        n.emit(x, "upsample(" + OnnxImport.pair(factor[0], factor[1]) + (bilinear ? ", mode=\"bilinear\"" : "") + (align ? ", align_corners=true" : "") + ")",
                x.c(), Math.multiplyExact(x.h(), (int) factor[0]), Math.multiplyExact(x.w(), (int) factor[1]), 4);
    }

    /** {sh, sw} from constant scales [1, 1, sh, sw] or sizes [N, C, H*sh, W*sw]; both whole and at least 1. */
    private static long[] resizeFactors(OnnxImport n, OnnxImport.Value x, boolean old) throws OnnxImport.Refused {
        boolean attribute = old && n.opset() < 9;
        TensorData scales = attribute ? null : n.constant(old ? 1 : 2);
        TensorData sizes = old ? null : n.constant(3);
        float[] f;
        if (attribute) {
            OnnxModel.Attribute a = n.node().attributes().get("scales");
            f = a == null ? null : a.floats();
        } else {
            f = scales == null || scales.size() == 0 ? null : OnnxImport.floats(scales, "scales");
        }
        if (f != null) {
            if (f.length != 4 || f[0] != 1 || f[1] != 1) {
                throw new OnnxImport.Refused("scales " + java.util.Arrays.toString(f) + " (cnnc's upsample takes [1, 1, sh, sw])");
            }
            if (f[2] < 1 || f[3] < 1 || f[2] != Math.rint(f[2]) || f[3] != Math.rint(f[3]) || f[2] > Integer.MAX_VALUE || f[3] > Integer.MAX_VALUE) {
                throw new OnnxImport.Refused("scales " + java.util.Arrays.toString(f) + " (cnnc's upsample takes whole factors of at least 1)");
            }
            return new long[] {(long) f[2], (long) f[3]};
        }
        if (sizes != null && sizes.size() > 0) {
            long[] s = OnnxImport.ints(sizes);
            if (s.length != 4 || s[1] != x.c() || s[2] < x.h() || s[3] < x.w() || s[2] % x.h() != 0 || s[3] % x.w() != 0) {
                throw new OnnxImport.Refused("sizes " + java.util.Arrays.toString(s) + " from [" + x.c() + ", " + x.h() + ", " + x.w()
                        + "] (cnnc's upsample takes whole multiples of H and W, channels unchanged)");
            }
            return new long[] {s[2] / x.h(), s[3] / x.w()};
        }
        throw new OnnxImport.Refused("needs constant scales or sizes (computed ones are not supported)");
    }
}
