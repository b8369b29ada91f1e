package io.cnnc.compiler.plan;

import io.cnnc.compiler.ops.BatchNormOp;
import io.cnnc.compiler.ops.FusedConvOp;
import java.util.function.Function;

/**
 * A fused convolution's weight and bias with its BatchNorm folded in:
 * {@code s = gamma / sqrt(var + eps)}, {@code w' = w * s[o]}, {@code b' = (b - mean) * s + beta}.
 * Computed in double and rounded once, so folding adds at most half an ulp per tensor element.
 * {@code bias} is null when there is neither a conv bias nor a BatchNorm.
 */
public record FoldedConvWeights(float[] weight, float[] bias) {

    /** {@code tensor} looks a tensor up by its full name, e.g. {@code stage1.0.bn1.running_var}. */
    public static FoldedConvWeights of(FusedConvOp op, Function<String, float[]> tensor) {
        float[] w = tensor.apply(op.convName() + ".weight");
        float[] b = op.conv().bias() ? tensor.apply(op.convName() + ".bias") : null;
        BatchNormOp bn = op.bn();
        if (bn == null) return new FoldedConvWeights(w, b);
        String p = op.bnName() + ".";
        float[] gamma = tensor.apply(p + "weight");
        float[] beta = tensor.apply(p + "bias");
        float[] mean = tensor.apply(p + "running_mean");
        float[] var = tensor.apply(p + "running_var");
        int outC = gamma.length;
        int perOut = w.length / outC;
        float[] fw = new float[w.length];
        float[] fb = new float[outC];
        for (int o = 0; o < outC; o++) {
            double s = gamma[o] / Math.sqrt(var[o] + bn.eps());
            for (int i = o * perOut; i < (o + 1) * perOut; i++) fw[i] = (float) (w[i] * s);
            fb[o] = (float) (((b == null ? 0 : b[o]) - (double) mean[o]) * s + beta[o]);
        }
        return new FoldedConvWeights(fw, fb);
    }
}
