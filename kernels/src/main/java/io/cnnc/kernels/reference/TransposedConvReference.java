package io.cnnc.kernels.reference;

import io.cnnc.kernels.ConvGeometry;

/**
 * Transposed convolution (PyTorch's ConvTranspose2d, ONNX's ConvTranspose) as its definition
 * reads, described by the convolution {@code g} it transposes: that convolution's output is this
 * one's input ({@code g.outC x g.outH x g.outW}), its input this one's output, its weight
 * {@code [g.outC, g.inC / groups, kH, kW]} this one's weight as PyTorch stores it. Every output
 * is one double sum over the inputs whose window covers it, rounded to float once.
 */
public final class TransposedConvReference {

    private TransposedConvReference() {}

    public static void forward(float[] x, int batch, ConvGeometry g, float[] weight, float[] bias, float[] y) {
        int inPerGroup = g.inC() / g.groups();
        int outPerGroup = g.outC() / g.groups();
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < g.inC(); c++) {
                int group = c / inPerGroup;
                for (int py = 0; py < g.inH(); py++) {
                    for (int px = 0; px < g.inW(); px++) {
                        double sum = bias == null ? 0 : bias[c];
                        for (int o = 0; o < outPerGroup; o++) {
                            int oc = group * outPerGroup + o;
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int ty = py + g.padTop() - ky * g.dilationH();
                                if (ty < 0 || ty % g.strideH() != 0 || ty / g.strideH() >= g.outH()) continue;
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int tx = px + g.padLeft() - kx * g.dilationW();
                                    if (tx < 0 || tx % g.strideW() != 0 || tx / g.strideW() >= g.outW()) continue;
                                    sum += (double) x[((n * g.outC() + oc) * g.outH() + ty / g.strideH()) * g.outW() + tx / g.strideW()]
                                            * weight[((oc * inPerGroup + c % inPerGroup) * g.kernelH() + ky) * g.kernelW() + kx];
                                }
                            }
                        }
                        y[((n * g.inC() + c) * g.inH() + py) * g.inW() + px] = (float) sum;
                    }
                }
            }
        }
    }
}
