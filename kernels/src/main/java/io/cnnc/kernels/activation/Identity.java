package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;

/** v: the activation of a layer that has none (GPU code 0, ACT_NONE). */
public final class Identity extends Activation {

    @Override
    public String name() {
        return "identity";
    }

    @Override
    public double apply(double v, double alpha) {
        return v;
    }

    @Override
    public double derivative(double v, double alpha) {
        return 1;
    }

    @Override
    public void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        if (x != y || xOff != yOff) System.arraycopy(x, xOff, y, yOff, n);
    }

    @Override
    public GpuActivation.Formula gpu() {
        return new GpuActivation.Formula(GpuActivation.NONE, "v", "return 1.0f;");
    }

    @Override
    public String java(JavaMath m, String v, float alpha) {
        return v;
    }

    @Override
    public String onnx(OnnxGraph g, String x, String y, float alpha) {
        return g.node("Identity", List.of(x), y);
    }

    /** The importer drops Identity (and Dropout) nodes instead of writing a layer. */
    @Override
    public List<String> onnxImports() {
        return List.of();
    }
}
