package io.cnnc.kernels.reference;

import io.cnnc.kernels.PoolGeometry;

/**
 * Average over each window counting padding (PyTorch's count_include_pad=True). As in PyTorch,
 * the divisor is the window clipped to the padded input, so ceil-mode windows that hang past
 * the padding divide by less than kernelH*kernelW.
 */
public final class AvgPoolReference {

    private AvgPoolReference() {}

    public static void forward(float[] x, int batch, PoolGeometry g, float[] y) {
        int outH = g.outH();
        int outW = g.outW();
        for (int nc = 0; nc < batch * g.channels(); nc++) {
            for (int oy = 0; oy < outH; oy++) {
                int y0 = oy * g.strideH() - g.padTop();
                int y1 = Math.min(y0 + g.kernelH(), g.inH() + g.padBottom());
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = ox * g.strideW() - g.padLeft();
                    int x1 = Math.min(x0 + g.kernelW(), g.inW() + g.padRight());
                    int divisor = (y1 - y0) * (x1 - x0);
                    double sum = 0;
                    for (int iy = Math.max(0, y0); iy < Math.min(y1, g.inH()); iy++) {
                        for (int ix = Math.max(0, x0); ix < Math.min(x1, g.inW()); ix++) sum += x[(nc * g.inH() + iy) * g.inW() + ix];
                    }
                    y[(nc * outH + oy) * outW + ox] = (float) (sum / divisor);
                }
            }
        }
    }
}
