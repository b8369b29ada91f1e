package io.cnnc.runtime.gpu;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.target.gpu.GpuConvChooser;
import io.cnnc.compiler.target.gpu.GpuPlanner;
import io.cnnc.dsl.CompileException;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.gpu.GpuConvStrategy;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.exec.ReferenceExecutor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * {@code cnnc devices --check}: one network holding every layer kind, run on a device with the
 * default strategy choice and with each conv strategy forced wherever it applies, against the
 * reference executor. The unit tests check the same kernels on PoCL in CI; this is how a real
 * GPU, which CI lacks, gets checked by whoever has one.
 */
public final class GpuSelfCheck {

    /** Tolerance relative to the output's largest magnitude: float sums on the device, double in the reference. */
    public static final double TOLERANCE = 1e-4;

    /**
     * Every activation is also applied on its own branch, written from ActivationKind, so a new
     * one is checked on every device without an edit here.
     */
    static final String NETWORK = """
            network SelfCheck { input x: [6, 19, 17]
              a = conv(16, 3, stride=2, pad=1) -> bn -> relu
              b = a -> conv(16, 3, pad=1) -> bn
              c = b + a -> relu6
              d = c -> dwconv(3, pad=1, multiplier=2) -> sigmoid
              e = concat(c, d) -> avgpool(3, stride=2, pad=1) -> bn -> layernorm -> scale(init=0.7) -> shift(init=0.2) -> gelu
              g = e -> gap -> conv(48, 1) -> hardsigmoid
              f = e * g -> conv(24, 5, pad=4, dilation=2, groups=2) -> leakyrelu(alpha=0.1) -> dropout(0.3)
              s = (f -> globalmaxpool) + (f -> maxpool(2, ceil=true) -> gap)
              t = f -> adaptiveavgpool(3) -> hardswish -> tanh -> silu -> flatten -> dense(10) -> softmax
              u = f -> adaptiveavgpool(3) -> channelshuffle(4) -> upsample(2, mode="bilinear") -> conv(8, 1)
            """ + everyActivation("u") + """
              concat(s, t, acts) -> dense(12)
            }""";

    /** One branch per activation on {@code from}, concatenated and reduced to {@code acts}. */
    private static String everyActivation(String from) {
        StringBuilder sb = new StringBuilder();
        List<String> branches = new ArrayList<>();
        for (ActivationKind k : ActivationKind.values()) {
            String branch = "act_" + k.definition().name();
            sb.append("  ").append(branch).append(" = ").append(from).append(" -> ").append(k.definition().name()).append('\n');
            branches.add(branch);
        }
        return sb.append("  acts = concat(").append(String.join(", ", branches)).append(") -> flatten -> dense(10)\n").toString();
    }

    public record Result(String what, double error) {
        public boolean ok() {
            return error <= TOLERANCE;
        }
    }

    private GpuSelfCheck() {}

    public static List<Result> run(GpuBackend backend) {
        Graph graph;
        try {
            graph = Compiler.compile(new SourceFile("selfcheck.cnn", NETWORK)).networks().getFirst();
        } catch (CompileException e) {
            throw new IllegalStateException("the self-check network does not compile: " + e.getMessage(), e);
        }
        int batch = 2;
        Map<String, Tensor> weights = RandomWeights.of(graph, 1);
        Map<String, float[]> raw = Tensor.arrays(weights);
        float[] x = new float[Math.toIntExact(graph.inputs().getFirst().shape().size() * batch)];
        Random r = new Random(2);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(Tensor.of(x, graph.inputs().getFirst().shape().withBatch(batch))))
                .getFirst().data();
        Map<String, Function<ConvGeometry, GpuConvChooser.Choice>> choosers = new LinkedHashMap<>();
        choosers.put("every layer kind, default strategies", GpuConvChooser::choose);
        for (GpuConvStrategy s : GpuConvStrategy.values()) {
            choosers.put("every conv as " + s.label() + " where it applies",
                    g -> s.supports(g) ? new GpuConvChooser.Choice(s, "forced") : GpuConvChooser.choose(g));
        }
        List<Result> out = new ArrayList<>();
        for (var e : choosers.entrySet()) {
            try (GpuExecutor exec = new GpuExecutor(backend, GpuPlanner.plan(graph, raw, batch, e.getValue()))) {
                out.add(new Result(e.getKey(), relativeError(exec.run(new float[][] {x})[0], want)));
            }
        }
        return out;
    }

    static double relativeError(float[] got, float[] want) {
        double err = 0, scale = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs((double) got[i] - want[i]);
            err = Math.max(err, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            scale = Math.max(scale, Math.abs(want[i]));
        }
        return err / Math.max(scale, 1e-30);
    }
}
