package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.cpu.VectorMath;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/** tanh(v). */
public final class Tanh extends Activation implements VectorForm {

    @Override
    public String name() {
        return "tanh";
    }

    @Override
    public double apply(double v, double alpha) {
        return Math.tanh(v);
    }

    @Override
    public double derivative(double v, double alpha) {
        double t = Math.tanh(v);
        return 1 - t * t;
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        return VectorMath.tanh(v);
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(5, "TANH(v)", "{ float t = TANH(v); return 1.0f - t * t; }");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return m.call("tanh", v);
    }

    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("Tanh", List.of(x), y);
    }

    @Override
    public List<String> onnxImports() {
        return List.of("Tanh");
    }
}
