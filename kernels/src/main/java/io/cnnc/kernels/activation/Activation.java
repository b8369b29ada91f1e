package io.cnnc.kernels.activation;

import io.cnnc.kernels.OnnxGraph;
import io.cnnc.kernels.gpu.GpuActivation;
import java.util.List;

/**
 * One elementwise activation with every form each path needs. Each abstract method is one form,
 * so a new activation does not compile until it has them all; {@link io.cnnc.kernels.ActivationKind}
 * holds one definition per kind and every consumer asks it instead of switching over kinds.
 *
 * <p>alpha is LeakyReLU's negative slope; every other activation ignores it. NaN propagates
 * through every form, as in PyTorch.
 */
public abstract class Activation {

    /** The layer's name in the language and in the IR, e.g. {@code relu}. */
    public abstract String name();

    /** Whether the layer takes an {@code alpha} argument (default 0.01, LeakyReLU's and ONNX's). */
    public boolean takesAlpha() {
        return false;
    }

    /** The reference: the definition evaluated in double (callers round the result to float once). */
    public abstract double apply(double v, double alpha);

    /** d apply(v) / dv in double, PyTorch's choice at kinks. */
    public abstract double derivative(double v, double alpha);

    /**
     * The fast CPU form: y[yOff..yOff+n) = f(x[xOff..xOff+n)), the ranges possibly the same. A
     * vectorized activation implements {@link VectorForm} and passes itself to {@link VectorLoop#map}
     * (see there why each class makes that call itself).
     */
    public abstract void fast(double alpha, float[] x, int xOff, float[] y, int yOff, int n);

    /** The GPU form: its ACT_* code and its forward and derivative in the kernel dialect's C. */
    public abstract GpuActivation.Formula gpu();

    /** The TornadoVM loop form: a Java float expression of the float variable {@code v}. */
    public abstract String java(JavaMath m, String v, float alpha);

    /** Writes the ONNX (opset 17) node(s) computing y from x; returns y. */
    public abstract String onnx(OnnxGraph g, String x, String y, float alpha);

    /**
     * The ONNX op types imported as this activation (its alpha from the node's {@code alpha}
     * attribute where {@link #takesAlpha}); empty where the importer must read other attributes
     * to decide (Clip's bounds, for example) or the op is not an activation there (Identity).
     */
    public abstract List<String> onnxImports();

    /**
     * The unary ONNX ops F_1..F_k of the form x * F_k(...F_1(x)) an exporter writes for this
     * activation where the opset lacks it (e.g. Softplus, Tanh for x * tanh(softplus(x))); the
     * importer reads that chain and its closing Mul as this activation. Empty for most: F_1 must
     * be an op the importer takes for nothing else.
     */
    public List<String> onnxDecomposition() {
        return List.of();
    }

    @Override
    public String toString() {
        return name();
    }
}
