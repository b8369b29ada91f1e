package io.cnnc.kernels.reference;

/** Joins NCHW inputs along channels: per sample, each input's C*H*W block follows the previous one's. */
public final class ConcatReference {

    private ConcatReference() {}

    public static void channels(float[][] inputs, int[] channels, int batch, int spatial, float[] y) {
        int total = 0;
        for (int c : channels) total += c;
        for (int n = 0; n < batch; n++) {
            int offset = n * total * spatial;
            for (int k = 0; k < inputs.length; k++) {
                int len = channels[k] * spatial;
                System.arraycopy(inputs[k], n * len, y, offset, len);
                offset += len;
            }
        }
    }
}
