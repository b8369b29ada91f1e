package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/** v * relu6(v + 3) / 6. */
public final class HardSwish extends Activation implements VectorForm {

    @Override
    public String name() {
        return "hardswish";
    }

    @Override
    public double apply(double v, double alpha) {
        return v * Math.min(Math.max(v + 3, 0), 6) / 6;
    }

    @Override
    public double derivative(double v, double alpha) {
        return v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6;
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        return v.mul(v.add(3f).max(0f).min(6f)).div(6f);
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(8, "v * FMIN(FMAX(v + 3.0f, 0.0f), 6.0f) / 6.0f",
                "return v < -3.0f ? 0.0f : (v > 3.0f ? 1.0f : (2.0f * v + 3.0f) / 6.0f);");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return "(" + v + " * " + m.min(m.max(v + " + 3f", "0f"), "6f") + " / 6f)";
    }

    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("HardSwish", List.of(x), y);
    }

    @Override
    public List<String> onnxImports() {
        return List.of("HardSwish");
    }
}
