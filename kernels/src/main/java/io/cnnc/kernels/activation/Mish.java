package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.cpu.VectorMath;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** v * tanh(softplus(v)), softplus(v) = log(1 + e^v): PyTorch's torch.nn.Mish. */
public final class Mish extends Activation implements VectorForm {

    @Override
    public String name() {
        return "mish";
    }

    /** PyTorch's formula; e^v overflows to infinity above 709, and tanh(infinity) = 1 gives v, the right limit. */
    @Override
    public double apply(double v, double alpha) {
        return v * Math.tanh(Math.log1p(Math.exp(v)));
    }

    /** PyTorch's mish_backward: tanh(sp) + v * sigmoid(v) * (1 - tanh(sp)^2). */
    @Override
    public double derivative(double v, double alpha) {
        double t = Math.tanh(Math.log1p(Math.exp(v)));
        double s = 1 / (1 + Math.exp(-v));
        return t + v * s * (1 - t * t);
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    /**
     * tanh(log(1 + e)) = n / (n + 2) with n = e (e + 2), e = e^v: no log (VectorMath has none) and
     * no cancellation for negative v. Above 20 tanh(softplus(v)) is 1 in float and n would
     * overflow, so v passes through; a NaN fails v > 20 and stays NaN.
     */
    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        FloatVector e = VectorMath.exp(v);
        FloatVector n = e.mul(e.add(2f));
        return v.mul(n).div(n.add(2f)).blend(v, v.compare(VectorOperators.GT, 20f));
    }

    /** PyTorch's formula with log(1 + e^v) for log1p, which the dialects' macros lack: below v = -17 it gives 0 for a value under 1e-6. */
    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(10, "v * TANH(LOG(1.0f + EXP(v)))",
                "{ float t = TANH(LOG(1.0f + EXP(v))); float s = 1.0f / (1.0f + EXP(-v)); return t + v * s * (1.0f - t * t); }");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return "(" + v + " * " + m.call("tanh", m.call("log", "1f + " + m.call("exp", v))) + ")";
    }

    /** Opset 17 has no Mish (it came in 18): x * Tanh(Softplus(x)). */
    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("Mul", List.of(x, g.node("Tanh", List.of(g.node("Softplus", List.of(x), g.temp())), g.temp())), y);
    }

    @Override
    public List<String> onnxImports() {
        return List.of("Mish");
    }

    /** What PyTorch writes below opset 18, and what onnx() writes. */
    @Override
    public List<String> onnxDecomposition() {
        return List.of("Softplus", "Tanh");
    }
}
