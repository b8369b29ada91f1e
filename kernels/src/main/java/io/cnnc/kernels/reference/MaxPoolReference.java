package io.cnnc.kernels.reference;

import io.cnnc.kernels.PoolGeometry;

/** Max over each window; padded positions never win (they are -infinity). */
public final class MaxPoolReference {

    private MaxPoolReference() {}

    public static void forward(float[] x, int batch, PoolGeometry g, float[] y) {
        int outH = g.outH();
        int outW = g.outW();
        for (int nc = 0; nc < batch * g.channels(); nc++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < g.kernelH(); ky++) {
                        int iy = oy * g.strideH() - g.padTop() + ky;
                        if (iy < 0 || iy >= g.inH()) continue;
                        for (int kx = 0; kx < g.kernelW(); kx++) {
                            int ix = ox * g.strideW() - g.padLeft() + kx;
                            if (ix < 0 || ix >= g.inW()) continue;
                            float v = x[(nc * g.inH() + iy) * g.inW() + ix];
                            if (v > max || Float.isNaN(v)) max = v;
                        }
                    }
                    y[(nc * outH + oy) * outW + ox] = max;
                }
            }
        }
    }
}
