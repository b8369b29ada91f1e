package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/** relu6(v + 3) / 6, PyTorch's hardsigmoid. */
public final class HardSigmoid extends Activation implements VectorForm {

    @Override
    public String name() {
        return "hardsigmoid";
    }

    @Override
    public double apply(double v, double alpha) {
        return Math.min(Math.max(v + 3, 0), 6) / 6;
    }

    @Override
    public double derivative(double v, double alpha) {
        return v > -3 && v < 3 ? 1.0 / 6 : 0;
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorLoop.map(this, (float) alpha, x, xOff, y, yOff, n);
    }

    @Override
    public FloatVector apply(FloatVector v, float alpha) {
        return v.add(3f).max(0f).min(6f).div(6f);
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(9, "FMIN(FMAX(v + 3.0f, 0.0f), 6.0f) / 6.0f", "return v > -3.0f && v < 3.0f ? 1.0f / 6.0f : 0.0f;");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return "(" + m.min(m.max(v + " + 3f", "0f"), "6f") + " / 6f)";
    }

    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("HardSigmoid", List.of(x), y, new OnnxGraph.Attribute("alpha", 1f / 6), new OnnxGraph.Attribute("beta", 0.5f));
    }

    /** HardSigmoid, but the importer reads its alpha and beta (ONNX's defaults are not PyTorch's). */
    @Override
    public List<String> onnxImports() {
        return List.of();
    }
}
