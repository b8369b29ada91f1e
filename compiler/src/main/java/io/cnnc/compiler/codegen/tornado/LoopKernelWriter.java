package io.cnnc.compiler.codegen.tornado;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import io.cnnc.compiler.ops.ActivationOp;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.activation.JavaMath;
import javax.lang.model.element.Modifier;

/**
 * Writes one layer as a static Java method of plain nested loops over primitive arrays, every
 * size a literal: the form TornadoVM compiles to OpenCL C, PTX or SPIR-V. The two outer loops
 * carry {@code @Parallel} when writing for TornadoVM; without it the same method is ordinary
 * Java (the fallback). Sums accumulate in float as a GPU would.
 */
public final class LoopKernelWriter {

    static final ClassName PARALLEL = ClassName.get("uk.ac.manchester.tornado.api.annotations", "Parallel");
    static final ClassName TORNADO_MATH = ClassName.get("uk.ac.manchester.tornado.api.math", "TornadoMath");

    private final boolean tornado;

    LoopKernelWriter(boolean tornado) {
        this.tornado = tornado;
    }

    /** The math class kernels call: TornadoMath for TornadoVM, java.lang.Math for the fallback. */
    public Object math() {
        return tornado ? TORNADO_MATH : ClassName.get(Math.class);
    }

    /** {@code for (int var = 0; var < bound; var++)}, parallel under TornadoVM: an op's own kernel uses it for its outer loops. */
    public CodeBlock loop(String var, long bound) {
        return tornado ? CodeBlock.of("for (@$T int $L = 0; $L < $L; $L++)", PARALLEL, var, var, bound, var)
                : CodeBlock.of("for (int $L = 0; $L < $L; $L++)", var, var, bound, var);
    }

    /** A static kernel method taking the named float arrays. */
    public MethodSpec.Builder method(String name, String... arrays) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.STATIC);
        for (String a : arrays) m.addParameter(float[].class, a);
        return m;
    }

    /** {@code Math.exp}-style call in float: TornadoMath has float overloads, java.lang.Math returns double. */
    private CodeBlock fn(String name, String arg) {
        return tornado ? CodeBlock.of("$T.$L($L)", TORNADO_MATH, name, arg) : CodeBlock.of("(float) $T.$L($L)", Math.class, name, arg);
    }

    /** {@code act(v)} as an expression on the float variable {@code v}; null activation is the identity. */
    CodeBlock activation(ActivationOp a, String v) {
        if (a == null) return CodeBlock.of("$L", v);
        return CodeBlock.of(a.kind().definition().java(javaMath, v, (float) a.alpha()), math());
    }

    /**
     * The activations' math in this writer's dialect: every class reference is {@code $1T}, the
     * one argument {@link #activation} passes (TornadoMath, or Math for plain Java), so javapoet
     * imports it as before.
     */
    private final JavaMath javaMath = new JavaMath() {
        @Override
        public String max(String a, String b) {
            return "$1T.max(" + a + ", " + b + ")";
        }

        @Override
        public String min(String a, String b) {
            return "$1T.min(" + a + ", " + b + ")";
        }

        @Override
        public String call(String function, String arg) {
            return (tornado ? "" : "(float) ") + "$1T." + function + "(" + arg + ")";
        }

        @Override
        public String erf(String arg) {
            return "erf(" + arg + ")";
        }
    };

    /**
     * erf for GELU inside kernels, Abramowitz and Stegun 7.1.26 (|error| below 1.5e-7, under float
     * rounding of the result): TornadoVM's math library has no erf, and the kernels must not call
     * into cnnc's double-precision Erf.
     */
    MethodSpec erf() {
        Object m = math();
        return MethodSpec.methodBuilder("erf").addModifiers(Modifier.STATIC).returns(float.class).addParameter(float.class, "v")
                .addStatement("float a = $T.abs(v)", m)
                .addStatement("float t = 1f / (1f + 0.3275911f * a)")
                .addStatement("float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))))")
                .addStatement("float r = 1f - poly * $L", fn("exp", "-a * a"))
                .addStatement("return v < 0f ? -r : r").build();
    }

    /** y = x * scale[c] + shift[c] per channel: BatchNorm at inference, scale and shift layers. */
    public MethodSpec channelAffine(String name, int batch, int channels, int spatial) {
        MethodSpec.Builder m = method(name, "x", "a", "b", "y");
        m.beginControlFlow("$L", loop("nc", (long) batch * channels));
        m.beginControlFlow("$L", loop("i", spatial));
        m.addStatement("int c = nc % $L", channels);
        m.addStatement("y[nc * $L + i] = x[nc * $L + i] * a[c] + b[c]", spatial, spatial);
        m.endControlFlow().endControlFlow();
        return m.build();
    }

    /** Elementwise product; with {@code perChannel} the second operand is [C, 1, 1], broadcast. */
    public MethodSpec mul(String name, int batch, int channels, int spatial, boolean perChannel) {
        MethodSpec.Builder m = method(name, "a", "c", "y");
        m.beginControlFlow("$L", loop("nc", (long) batch * channels));
        m.beginControlFlow("$L", loop("i", spatial));
        if (perChannel) m.addStatement("y[nc * $L + i] = a[nc * $L + i] * c[nc]", spatial, spatial);
        else m.addStatement("y[nc * $L + i] = a[nc * $L + i] * c[nc * $L + i]", spatial, spatial, spatial);
        m.endControlFlow().endControlFlow();
        return m.build();
    }

    /** LayerNorm over the channels at each position (biased variance), as LayerNormReference. */
    public MethodSpec layerNorm(String name, int batch, int channels, int spatial, double eps) {
        MethodSpec.Builder m = method(name, "x", "g", "b", "y");
        m.beginControlFlow("$L", loop("np", (long) batch * spatial));
        m.addStatement("int base = (np / $L) * $L + np % $L", spatial, channels * spatial, spatial)
                .addStatement("float mean = 0f")
                .addStatement("for (int c = 0; c < $L; c++) mean += x[base + c * $L]", channels, spatial)
                .addStatement("mean /= $Lf", channels)
                .addStatement("float var = 0f")
                .addStatement("for (int c = 0; c < $L; c++) var += (x[base + c * $L] - mean) * (x[base + c * $L] - mean)", channels, spatial, spatial)
                .addStatement("var /= $Lf", channels)
                .addStatement("float inv = 1f / $L", fn("sqrt", "var + " + (float) eps + "f"))
                .addStatement("for (int c = 0; c < $L; c++) y[base + c * $L] = (x[base + c * $L] - mean) * inv * g[c] + b[c]", channels, spatial, spatial);
        m.endControlFlow();
        return m.build();
    }

    /** Adaptive average pooling: bin i spans [floor(i*in/out), ceil((i+1)*in/out)), as PyTorch. */
    public MethodSpec adaptiveAvgPool(String name, int rows, int inH, int inW, int outH, int outW) {
        MethodSpec.Builder m = method(name, "x", "y");
        m.beginControlFlow("$L", loop("nc", rows));
        m.beginControlFlow("$L", loop("p", (long) outH * outW));
        m.addStatement("int oy = p / $L", outW).addStatement("int ox = p % $L", outW)
                .addStatement("int y0 = oy * $L / $L", inH, outH).addStatement("int y1 = ((oy + 1) * $L + $L) / $L", inH, outH - 1, outH)
                .addStatement("int x0 = ox * $L / $L", inW, outW).addStatement("int x1 = ((ox + 1) * $L + $L) / $L", inW, outW - 1, outW)
                .addStatement("float s = 0f");
        m.addStatement("for (int iy = y0; iy < y1; iy++) for (int ix = x0; ix < x1; ix++) s += x[(nc * $L + iy) * $L + ix]", inH, inW);
        m.addStatement("y[nc * $L + p] = s / ((y1 - y0) * (x1 - x0))", outH * outW);
        m.endControlFlow().endControlFlow();
        return m.build();
    }

    public MethodSpec conv(String name, ConvGeometry g, int batch, boolean residual, ActivationOp act) {
        int icg = g.inC() / g.groups();
        int ocg = g.outC() / g.groups();
        int hw = g.outH() * g.outW();
        MethodSpec.Builder m = residual ? method(name, "x", "w", "b", "r", "y") : method(name, "x", "w", "b", "y");
        m.beginControlFlow("$L", loop("no", (long) batch * g.outC()));
        m.beginControlFlow("$L", loop("p", hw));
        m.addStatement("int n = no / $L", g.outC()).addStatement("int o = no % $L", g.outC())
                .addStatement("int oy = p / $L", g.outW()).addStatement("int ox = p % $L", g.outW())
                .addStatement("int ic0 = (o / $L) * $L", ocg, icg)
                .addStatement("float s = 0f");
        m.beginControlFlow("for (int ic = 0; ic < $L; ic++)", icg);
        m.beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kernelH());
        m.addStatement("int iy = oy * $L - $L + ky * $L", g.strideH(), g.padTop(), g.dilationH());
        m.beginControlFlow("for (int kx = 0; kx < $L; kx++)", g.kernelW());
        m.addStatement("int ix = ox * $L - $L + kx * $L", g.strideW(), g.padLeft(), g.dilationW());
        m.beginControlFlow("if (iy >= 0 && iy < $L && ix >= 0 && ix < $L)", g.inH(), g.inW());
        m.addStatement("s += x[((n * $L + ic0 + ic) * $L + iy) * $L + ix] * w[((o * $L + ic) * $L + ky) * $L + kx]",
                g.inC(), g.inH(), g.inW(), icg, g.kernelH(), g.kernelW());
        m.endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        m.addStatement("s += b[o]");
        if (residual) m.addStatement("s += r[no * $L + p]", hw);
        m.addStatement("y[no * $L + p] = $L", hw, activation(act, "s"));
        m.endControlFlow().endControlFlow();
        return m.build();
    }

    public MethodSpec pool(String name, PoolGeometry g, int batch, boolean max) {
        int hw = g.outH() * g.outW();
        MethodSpec.Builder m = method(name, "x", "y");
        m.beginControlFlow("$L", loop("nc", (long) batch * g.channels()));
        m.beginControlFlow("$L", loop("p", hw));
        m.addStatement("int oy = p / $L", g.outW()).addStatement("int ox = p % $L", g.outW())
                .addStatement("int y0 = oy * $L - $L", g.strideH(), g.padTop()).addStatement("int x0 = ox * $L - $L", g.strideW(), g.padLeft())
                .addStatement("int y1 = $T.min(y0 + $L, $L)", Math.class, g.kernelH(), max ? g.inH() : g.inH() + g.padBottom())
                .addStatement("int x1 = $T.min(x0 + $L, $L)", Math.class, g.kernelW(), max ? g.inW() : g.inW() + g.padRight())
                .addStatement("float s = $L", max ? "Float.NEGATIVE_INFINITY" : "0f");
        m.beginControlFlow("for (int iy = $T.max(0, y0); iy < $T.min(y1, $L); iy++)", Math.class, Math.class, g.inH());
        m.beginControlFlow("for (int ix = $T.max(0, x0); ix < $T.min(x1, $L); ix++)", Math.class, Math.class, g.inW());
        m.addStatement("float v = x[(nc * $L + iy) * $L + ix]", g.inH(), g.inW());
        m.addStatement(max ? "s = $T.max(s, v)" : "s += v", math());
        m.endControlFlow().endControlFlow();
        // Average pooling counts padding (PyTorch's count_include_pad=True), clipped as AvgPoolReference.
        m.addStatement(max ? "y[nc * $L + p] = s" : "y[nc * $L + p] = s / ((y1 - y0) * (x1 - x0))", hw);
        m.endControlFlow().endControlFlow();
        return m.build();
    }

    public MethodSpec globalPool(String name, int rows, int spatial, boolean max) {
        MethodSpec.Builder m = method(name, "x", "y");
        m.beginControlFlow("$L", loop("nc", rows));
        m.addStatement("float s = $L", max ? "Float.NEGATIVE_INFINITY" : "0f");
        m.beginControlFlow("for (int i = 0; i < $L; i++)", spatial);
        if (max) m.addStatement("s = $T.max(s, x[nc * $L + i])", math(), spatial);
        else m.addStatement("s += x[nc * $L + i]", spatial);
        m.endControlFlow();
        m.addStatement(max ? "y[nc] = s" : "y[nc] = s / $Lf", spatial);
        m.endControlFlow();
        return m.build();
    }

    public MethodSpec dense(String name, int batch, long in, int units) {
        MethodSpec.Builder m = method(name, "x", "w", "b", "y");
        m.beginControlFlow("$L", loop("nu", (long) batch * units));
        m.addStatement("int n = nu / $L", units).addStatement("int u = nu % $L", units).addStatement("float s = b[u]");
        m.beginControlFlow("for (int i = 0; i < $L; i++)", in);
        m.addStatement("s += x[n * $L + i] * w[u * $L + i]", in, in);
        m.endControlFlow();
        m.addStatement("y[nu] = s");
        m.endControlFlow();
        return m.build();
    }

    public MethodSpec elementwise(String name, long size, ActivationOp act, boolean add) {
        MethodSpec.Builder m = add ? method(name, "a", "c", "y") : method(name, "a", "y");
        m.beginControlFlow("$L", loop("i", size));
        m.addStatement("float v = a[i]$L", add ? " + c[i]" : "");
        m.addStatement("y[i] = $L", activation(act, "v"));
        m.endControlFlow();
        return m.build();
    }

    public MethodSpec softmax(String name, int batch, int channels, int spatial) {
        MethodSpec.Builder m = method(name, "x", "y");
        m.beginControlFlow("$L", loop("np", (long) batch * spatial));
        m.addStatement("int base = (np / $L) * $L + np % $L", spatial, channels * spatial, spatial)
                .addStatement("float mx = Float.NEGATIVE_INFINITY");
        m.addStatement("for (int c = 0; c < $L; c++) mx = $T.max(mx, x[base + c * $L])", channels, math(), spatial);
        m.addStatement("float sum = 0f");
        CodeBlock e = fn("exp", "x[base + c * " + spatial + "] - mx");
        m.addStatement("for (int c = 0; c < $L; c++) sum += $L", channels, e);
        m.addStatement("for (int c = 0; c < $L; c++) y[base + c * $L] = $L / sum", channels, spatial, e);
        m.endControlFlow();
        return m.build();
    }

    /** Copies one concat operand into its channel range of the output. */
    public MethodSpec concatPart(String name, int batch, int partSize, int totalSize, int offset) {
        MethodSpec.Builder m = method(name, "x", "y");
        m.beginControlFlow("$L", loop("n", batch));
        m.beginControlFlow("$L", loop("i", partSize));
        m.addStatement("y[n * $L + $L + i] = x[n * $L + i]", totalSize, offset, partSize);
        m.endControlFlow().endControlFlow();
        return m.build();
    }
}
