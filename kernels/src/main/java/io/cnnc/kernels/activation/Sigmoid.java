package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.cpu.VectorMath;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/** 1 / (1 + e^-v). */
public final class Sigmoid extends Activation implements VectorForm {

    @Override
    public String name() {
        return "sigmoid";
    }

    /** exp(-v) overflows to infinity for v < -709, giving exactly 0: the right limit. */
    @Override
    public double apply(double v, double alpha) {
        return 1 / (1 + Math.exp(-v));
    }

    @Override
    public double derivative(double v, double alpha) {
        double s = 1 / (1 + Math.exp(-v));
        return s * (1 - s);
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        return VectorMath.sigmoid(v);
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(4, "1.0f / (1.0f + EXP(-v))", "{ float s = 1.0f / (1.0f + EXP(-v)); return s * (1.0f - s); }");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return "(1f / (1f + " + m.call("exp", "-" + v) + "))";
    }

    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("Sigmoid", List.of(x), y);
    }

    @Override
    public List<String> onnxImports() {
        return List.of("Sigmoid");
    }
}
