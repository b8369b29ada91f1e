package io.cnnc.kernels.reference;

/** Average pooling to a fixed size; bin i spans [floor(i*in/out), ceil((i+1)*in/out)) as in PyTorch. */
public final class AdaptiveAvgPoolReference {

    private AdaptiveAvgPoolReference() {}

    public static void forward(float[] x, int batch, int channels, int inH, int inW, int outH, int outW, float[] y) {
        for (int nc = 0; nc < batch * channels; nc++) {
            for (int oy = 0; oy < outH; oy++) {
                int y0 = Math.floorDiv(oy * inH, outH);
                int y1 = -Math.floorDiv(-(oy + 1) * inH, outH);
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = Math.floorDiv(ox * inW, outW);
                    int x1 = -Math.floorDiv(-(ox + 1) * inW, outW);
                    double sum = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) sum += x[(nc * inH + iy) * inW + ix];
                    }
                    y[(nc * outH + oy) * outW + ox] = (float) (sum / ((y1 - y0) * (x1 - x0)));
                }
            }
        }
    }
}
