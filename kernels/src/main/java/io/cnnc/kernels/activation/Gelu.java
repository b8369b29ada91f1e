package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.Erf;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;

/** 0.5 v (1 + erf(v / sqrt 2)): PyTorch's default GELU is this exact erf form, not the tanh approximation. */
public final class Gelu extends Activation {

    private static final double SQRT_HALF = Math.sqrt(0.5);

    @Override
    public String name() {
        return "gelu";
    }

    @Override
    public double apply(double v, double alpha) {
        return 0.5 * v * (1 + Erf.erf(v * SQRT_HALF));
    }

    @Override
    public double derivative(double v, double alpha) {
        return 0.5 * (1 + Erf.erf(v / Math.sqrt(2))) + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
    }

    /** No vector form: there is no vector erf, so each element takes the reference formula. */
    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) apply(x[xOff + i], alpha);
    }

    /** Both dialects have a float erf. */
    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(6, "0.5f * v * (1.0f + ERF(v * 0.70710678118654752f))",
                "return 0.5f * (1.0f + ERF(v * 0.70710678118654752f)) + v * EXP(-0.5f * v * v) * 0.39894228040143268f;");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return "(0.5f * " + v + " * (1f + " + m.erf(v + " * 0.70710678f") + "))";
    }

    /** 0.5 * x * (1 + erf(x / sqrt 2)): the exact form, as cnnc and PyTorch compute it. */
    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        String e = g.node("Erf", List.of(g.node("Div", List.of(x, g.scalar((float) Math.sqrt(2))), g.temp())), g.temp());
        String one = g.node("Add", List.of(e, g.scalar(1)), g.temp());
        return g.node("Mul", List.of(g.node("Mul", List.of(x, one), g.temp()), g.scalar(0.5f)), y);
    }

    /** ONNX has Gelu only from opset 20; the importer does not read it yet. */
    @Override
    public List<String> onnxImports() {
        return List.of();
    }
}
