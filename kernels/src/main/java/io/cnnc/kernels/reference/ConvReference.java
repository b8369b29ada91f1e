package io.cnnc.kernels.reference;

import io.cnnc.kernels.ConvGeometry;

/**
 * Direct convolution exactly as the definition reads: every output is one double sum, rounded to
 * float once, so its value hardly depends on summation order and any fast kernel can be held to
 * a tolerance against it. Padded positions are skipped rather than read as zeros, which is the
 * same sum without a padded copy of the input.
 */
public final class ConvReference {

    private ConvReference() {}

    public static void forward(float[] x, int batch, ConvGeometry g, float[] weight, float[] bias, float[] y) {
        int outH = g.outH();
        int outW = g.outW();
        int inPerGroup = g.inC() / g.groups();
        int outPerGroup = g.outC() / g.groups();
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < g.outC(); oc++) {
                int group = oc / outPerGroup;
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        double sum = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < inPerGroup; ic++) {
                            int c = group * inPerGroup + ic;
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                if (iy < 0 || iy >= g.inH()) continue;
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (ix < 0 || ix >= g.inW()) continue;
                                    sum += (double) x[((n * g.inC() + c) * g.inH() + iy) * g.inW() + ix]
                                            * weight[((oc * inPerGroup + ic) * g.kernelH() + ky) * g.kernelW() + kx];
                                }
                            }
                        }
                        y[((n * g.outC() + oc) * outH + oy) * outW + ox] = (float) sum;
                    }
                }
            }
        }
    }
}
