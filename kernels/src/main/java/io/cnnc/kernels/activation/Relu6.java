package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** min(max(v, 0), 6). */
public final class Relu6 extends Activation implements VectorGradient {

    @Override
    public String name() {
        return "relu6";
    }

    @Override
    public double apply(double v, double alpha) {
        return Math.min(Math.max(v, 0), 6);
    }

    @Override
    public double derivative(double v, double alpha) {
        return v > 0 && v < 6 ? 1 : 0;
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        return v.max(0f).min(6f);
    }

    @Override
    public FloatVector derivative(FloatVector v, float alpha) {
        return FloatVector.zero(v.species()).blend(1f, v.compare(VectorOperators.GT, 0f).and(v.compare(VectorOperators.LT, 6f)));
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(2, "v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v)", "return v > 0.0f && v < 6.0f ? 1.0f : 0.0f;");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return m.min(m.max(v, "0f"), "6f");
    }

    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("Clip", List.of(x, g.scalar(0), g.scalar(6)), y);
    }

    /** Clip(0, 6), but the importer reads Clip's bounds to tell relu6 from relu and other clips. */
    @Override
    public List<String> onnxImports() {
        return List.of();
    }
}
