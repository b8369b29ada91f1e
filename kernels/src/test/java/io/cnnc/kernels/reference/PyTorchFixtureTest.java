package io.cnnc.kernels.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.Npy;
import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.cpu.ChannelShuffle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every reference kernel against PyTorch's own output, on the cases that
 * src/test/fixtures/make_reference_fixtures.py wrote (torch 1.13, CPU, float32).
 *
 * <p>Tolerances. Ops that are one IEEE operation per element (or none: max, copy, concat,
 * relu, relu6) are held to exact equality: float32 add, multiply and compare are correctly
 * rounded in both languages, so any difference is a bug. Everything else is held to
 * max |ours - torch| &lt;= 1e-5 * (1 + max|torch|): PyTorch accumulates sums of up to ~150 terms
 * in float32 (relative rounding ~ sqrt(terms) * 6e-8, a few 1e-7 here) and evaluates exp, tanh and
 * erf with vectorised float32 approximations (a few ulps), while we accumulate in double and round
 * once; a margin of 10-100x over that still catches every indexing or formula slip, which shows up
 * as errors of order 1e-2 or more.
 */
class PyTorchFixtureTest {

    private static final String ROOT = "/fixtures/reference/";
    private static final double RELATIVE_TOLERANCE = 1e-5;
    private static final Map<String, Double> WORST_BY_OP = new TreeMap<>();

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesPyTorch() {
        String list = new String(bytes(ROOT + "cases.txt"), StandardCharsets.UTF_8);
        String[] cases = list.lines().map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
        // 48 cases were written; a missing or truncated list must not pass as "nothing to check".
        assertThat(cases).hasSizeGreaterThanOrEqualTo(48);
        return Arrays.stream(cases).map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    @AfterAll
    static void report() {
        StringBuilder s = new StringBuilder("max |reference - PyTorch| per op:");
        WORST_BY_OP.forEach((op, err) -> s.append(String.format("%n  %-16s %.3g", op, err)));
        System.out.println(s);
    }

    private static void check(String name) {
        Properties p = properties(name);
        String op = p.getProperty("op");
        Npy expected = npy(name, "y");
        float[] y = new float[expected.data().length];
        boolean exact;
        int[] shape;
        switch (op) {
            case "conv" -> {
                ConvGeometry g = new ConvGeometry(i(p, "inC"), i(p, "inH"), i(p, "inW"), i(p, "outC"), i(p, "kernelH"),
                        i(p, "kernelW"), i(p, "strideH"), i(p, "strideW"), i(p, "padTop"), i(p, "padLeft"),
                        i(p, "padBottom"), i(p, "padRight"), i(p, "dilationH"), i(p, "dilationW"), i(p, "groups"));
                shape = new int[] {i(p, "batch"), g.outC(), g.outH(), g.outW()};
                ConvReference.forward(data(name, "x"), i(p, "batch"), g, data(name, "w"), optional(name, "b"), y);
                exact = false;
            }
            case "dense" -> {
                shape = new int[] {i(p, "batch"), i(p, "units")};
                DenseReference.forward(data(name, "x"), i(p, "batch"), i(p, "inFeatures"), i(p, "units"),
                        data(name, "w"), optional(name, "b"), y);
                exact = false;
            }
            case "batchnorm" -> {
                shape = npy(name, "x").shape();
                BatchNormReference.forward(data(name, "x"), i(p, "batch"), i(p, "channels"), i(p, "spatial"),
                        data(name, "gamma"), data(name, "beta"), data(name, "mean"), data(name, "var"), d(p, "eps"), y);
                exact = false;
            }
            case "layernorm" -> {
                shape = npy(name, "x").shape();
                LayerNormReference.forward(data(name, "x"), i(p, "batch"), i(p, "channels"), i(p, "spatial"),
                        data(name, "gamma"), data(name, "beta"), d(p, "eps"), y);
                exact = false;
            }
            case "scale" -> {
                shape = npy(name, "x").shape();
                ScaleReference.forward(data(name, "x"), i(p, "batch"), i(p, "channels"), i(p, "spatial"), data(name, "w"), y);
                exact = true;
            }
            case "maxpool", "avgpool" -> {
                PoolGeometry g = new PoolGeometry(i(p, "channels"), i(p, "inH"), i(p, "inW"), i(p, "kernelH"), i(p, "kernelW"),
                        i(p, "strideH"), i(p, "strideW"), i(p, "padTop"), i(p, "padLeft"), i(p, "padBottom"),
                        i(p, "padRight"), Boolean.parseBoolean(p.getProperty("ceil")));
                shape = new int[] {i(p, "batch"), g.channels(), g.outH(), g.outW()};
                if (op.equals("maxpool")) {
                    MaxPoolReference.forward(data(name, "x"), i(p, "batch"), g, y);
                } else {
                    AvgPoolReference.forward(data(name, "x"), i(p, "batch"), g, y);
                }
                exact = op.equals("maxpool");
            }
            case "gap", "globalmaxpool" -> {
                shape = new int[] {i(p, "batch"), i(p, "channels"), 1, 1};
                if (op.equals("gap")) {
                    GlobalPoolReference.average(data(name, "x"), i(p, "batch"), i(p, "channels"), i(p, "spatial"), y);
                } else {
                    GlobalPoolReference.max(data(name, "x"), i(p, "batch"), i(p, "channels"), i(p, "spatial"), y);
                }
                exact = op.equals("globalmaxpool");
            }
            case "adaptiveavgpool" -> {
                shape = new int[] {i(p, "batch"), i(p, "channels"), i(p, "outH"), i(p, "outW")};
                AdaptiveAvgPoolReference.forward(data(name, "x"), i(p, "batch"), i(p, "channels"), i(p, "inH"), i(p, "inW"),
                        i(p, "outH"), i(p, "outW"), y);
                exact = false;
            }
            case "activation" -> {
                ActivationKind kind = ActivationKind.valueOf(p.getProperty("kind"));
                float[] x = data(name, "x");
                shape = npy(name, "x").shape();
                ActivationReference.forward(kind, d(p, "alpha"), x, y);
                // In place must give the same bits: the compiler reuses buffers for activations.
                float[] inPlace = x.clone();
                ActivationReference.forward(kind, d(p, "alpha"), inPlace, inPlace);
                assertThat(inPlace).as("%s: in place", name).containsExactly(y);
                // LEAKY_RELU: PyTorch multiplies by the slope rounded to float (0.2f), we by the double 0.2,
                // so results may differ in the last bit; HARDSWISH's division by 6 is vectorised differently.
                exact = kind == ActivationKind.RELU || kind == ActivationKind.RELU6 || kind == ActivationKind.IDENTITY;
                float[] dy = optional(name, "dy");
                if (dy != null) assertGradient(name, kind, d(p, "alpha"), x, dy, data(name, "dx"));
            }
            case "softmax" -> {
                shape = npy(name, "x").shape();
                SoftmaxReference.channels(data(name, "x"), i(p, "batch"), i(p, "channels"), i(p, "spatial"), y);
                exact = false;
            }
            case "add" -> {
                shape = npy(name, "a").shape();
                AddReference.forward(data(name, "a"), data(name, "b"), y);
                exact = true;
            }
            case "mul" -> {
                shape = npy(name, "a").shape();
                MulReference.forward(data(name, "a"), data(name, "b"), i(p, "batch"), i(p, "channels"), i(p, "spatial"),
                        Boolean.parseBoolean(p.getProperty("bPerChannel")), y);
                exact = true;
            }
            case "concat" -> {
                int[] channels = Arrays.stream(p.getProperty("channels").split(",")).mapToInt(Integer::parseInt).toArray();
                float[][] inputs = new float[channels.length][];
                for (int k = 0; k < channels.length; k++) inputs[k] = data(name, "x" + k);
                int[] first = npy(name, "x0").shape();
                shape = new int[] {i(p, "batch"), Arrays.stream(channels).sum(), first[2], first[3]};
                ConcatReference.channels(inputs, channels, i(p, "batch"), i(p, "spatial"), y);
                exact = true;
            }
            case "copy" -> {
                int[] in = npy(name, "x").shape();
                shape = new int[] {in[0], in[1] * in[2] * in[3]};
                CopyReference.forward(data(name, "x"), y);
                exact = true;
            }
            case "channelshuffle" -> {
                shape = npy(name, "x").shape();
                int batch = i(p, "batch"), channels = i(p, "channels"), groups = i(p, "groups"), spatial = i(p, "spatial");
                ChannelShuffle.reference(data(name, "x"), batch, channels, groups, spatial, y);
                float[] dx = new float[y.length];
                ChannelShuffle.backward(data(name, "dy"), batch, channels, groups, spatial, dx);
                assertThat(dx).as("%s: gradient", name).containsExactly(data(name, "dx"));
                exact = true;
            }
            default -> throw new AssertionError("unknown op '" + op + "' in case " + name);
        }
        // Shapes first: they test OutputSize against PyTorch's own size arithmetic.
        assertThat(expected.shape()).as("%s: output shape", name).containsExactly(shape);
        double maxAbs = 0;
        double maxErr = 0;
        for (int k = 0; k < y.length; k++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected.data()[k]));
            maxErr = Math.max(maxErr, Math.abs((double) y[k] - expected.data()[k]));
        }
        synchronized (WORST_BY_OP) {
            String key = op.equals("activation") ? "act " + p.getProperty("kind").toLowerCase() : op;
            WORST_BY_OP.merge(key, maxErr, Math::max);
        }
        if (exact) {
            // Numeric equality, not bit equality: relu(-0.0) is -0.0 in PyTorch and 0.0 here, the same number.
            for (int k = 0; k < y.length; k++) {
                assertThat(y[k] == expected.data()[k]).as("%s: element %d is %s, PyTorch has %s", name, k, y[k], expected.data()[k]).isTrue();
            }
        } else {
            assertThat(maxErr).as("%s: max abs error (max |y| = %s)", name, maxAbs)
                    .isLessThanOrEqualTo(RELATIVE_TOLERANCE * (1 + maxAbs));
        }
    }

    /** Where a case has autograd's dx for an upstream dy: ActivationBackward against it, to the same relative tolerance. */
    private static void assertGradient(String name, ActivationKind kind, double alpha, float[] x, float[] dy, float[] want) {
        float[] dx = new float[x.length];
        io.cnnc.kernels.backward.ActivationBackward.backward(kind, alpha, x, dy, dx);
        double maxAbs = 0;
        double maxErr = 0;
        for (int k = 0; k < dx.length; k++) {
            maxAbs = Math.max(maxAbs, Math.abs(want[k]));
            maxErr = Math.max(maxErr, Math.abs((double) dx[k] - want[k]));
        }
        assertThat(maxErr).as("%s: gradient max abs error (max |dx| = %s)", name, maxAbs).isLessThanOrEqualTo(RELATIVE_TOLERANCE * (1 + maxAbs));
    }

    private static int i(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) throw new AssertionError("case.properties lacks " + key);
        return Integer.parseInt(v.trim());
    }

    private static double d(Properties p, String key) {
        return Double.parseDouble(p.getProperty(key).trim());
    }

    private static Properties properties(String name) {
        Properties p = new Properties();
        try (InputStream in = PyTorchFixtureTest.class.getResourceAsStream(ROOT + name + "/case.properties")) {
            if (in == null) throw new AssertionError("missing " + ROOT + name + "/case.properties");
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static Npy npy(String name, String tensor) {
        return Npy.parse(bytes(ROOT + name + "/" + tensor + ".npy"));
    }

    private static float[] data(String name, String tensor) {
        return npy(name, tensor).data();
    }

    /** Absent bias file means the layer has no bias (PyTorch's bias=None). */
    private static float[] optional(String name, String tensor) {
        return PyTorchFixtureTest.class.getResource(ROOT + name + "/" + tensor + ".npy") == null ? null : data(name, tensor);
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = PyTorchFixtureTest.class.getResourceAsStream(resource)) {
            if (in == null) throw new AssertionError("missing test resource " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
