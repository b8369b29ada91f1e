package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/** max(v, 0). */
public final class Relu extends Activation implements VectorForm {

    @Override
    public String name() {
        return "relu";
    }

    @Override
    public double apply(double v, double alpha) {
        return Math.max(v, 0);
    }

    @Override
    public double derivative(double v, double alpha) {
        return v > 0 ? 1 : 0;
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        return v.max(0f);
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(1, "v < 0.0f ? 0.0f : v", "return v > 0.0f ? 1.0f : 0.0f;");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return m.max(v, "0f");
    }

    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("Relu", List.of(x), y);
    }

    @Override
    public List<String> onnxImports() {
        return List.of("Relu");
    }
}
