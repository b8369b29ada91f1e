package io.cnnc.kernels.reference;

/** Mean or max over all positions of each channel. */
public final class GlobalPoolReference {

    private GlobalPoolReference() {}

    public static void average(float[] x, int batch, int channels, int spatial, float[] y) {
        for (int nc = 0; nc < batch * channels; nc++) {
            double sum = 0;
            for (int i = 0; i < spatial; i++) sum += x[nc * spatial + i];
            y[nc] = (float) (sum / spatial);
        }
    }

    public static void max(float[] x, int batch, int channels, int spatial, float[] y) {
        for (int nc = 0; nc < batch * channels; nc++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < spatial; i++) {
                float v = x[nc * spatial + i];
                if (v > max || Float.isNaN(v)) max = v;
            }
            y[nc] = max;
        }
    }
}
