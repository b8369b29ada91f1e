package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** v for v >= 0, alpha * v below. */
public final class LeakyRelu extends Activation implements VectorForm {

    @Override
    public String name() {
        return "leakyrelu";
    }

    @Override
    public boolean takesAlpha() {
        return true;
    }

    @Override
    public double apply(double v, double alpha) {
        return v >= 0 ? v : alpha * v;
    }

    @Override
    public double derivative(double v, double alpha) {
        return v > 0 ? 1 : alpha;
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    /** A NaN fails v >= 0 and takes alpha * v, which is NaN. */
    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        return v.mul(alpha).blend(v, v.compare(VectorOperators.GE, 0f));
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(3, "v >= 0.0f ? v : alpha * v", "return v > 0.0f ? 1.0f : alpha;");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return "(" + v + " >= 0f ? " + v + " : " + alpha + "f * " + v + ")";
    }

    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("LeakyRelu", List.of(x), y, new OnnxGraph.Attribute("alpha", alpha));
    }

    @Override
    public List<String> onnxImports() {
        return List.of("LeakyRelu");
    }
}
