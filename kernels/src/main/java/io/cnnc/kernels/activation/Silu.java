package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.cpu.VectorMath;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/** v * sigmoid(v), also called swish. */
public final class Silu extends Activation implements VectorForm {

    @Override
    public String name() {
        return "silu";
    }

    @Override
    public double apply(double v, double alpha) {
        return v / (1 + Math.exp(-v));
    }

    @Override
    public double derivative(double v, double alpha) {
        double s = 1 / (1 + Math.exp(-v));
        return s * (1 + v * (1 - s));
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        return v.div(VectorMath.exp(v.neg()).add(1f));
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(7, "v / (1.0f + EXP(-v))", "{ float s = 1.0f / (1.0f + EXP(-v)); return s * (1.0f + v * (1.0f - s)); }");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return "(" + v + " / (1f + " + m.call("exp", "-" + v) + "))";
    }

    /** Opset 17 has no SiLU: x * Sigmoid(x). */
    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("Mul", List.of(x, g.node("Sigmoid", List.of(x), g.temp())), y);
    }

    @Override
    public List<String> onnxImports() {
        return List.of();
    }
}
