package io.cnnc.kernels.backward;

/** Gradients of the merging ops: product (with per-channel broadcast) and channel concat. */
public final class MergeBackward {

    private MergeBackward() {}

    /** y = a * b (b per channel when {@code bPerChannel}): da = dy * b; db = dy * a, summed over H, W when broadcast. */
    public static void mul(float[] a, float[] b, float[] dy, int batch, int channels, int spatial, boolean bPerChannel,
                           float[] da, float[] db) {
        if (bPerChannel) java.util.Arrays.fill(db, 0f);
        for (int nc = 0; nc < batch * channels; nc++) {
            double sum = 0;
            for (int i = 0; i < spatial; i++) {
                int at = nc * spatial + i;
                float bv = bPerChannel ? b[nc] : b[at];
                da[at] = dy[at] * bv;
                if (bPerChannel) sum += dy[at] * a[at];
                else db[at] = dy[at] * a[at];
            }
            if (bPerChannel) db[nc] = (float) sum;
        }
    }

    /** Splits dy along channels into the inputs' gradients. */
    public static void concat(float[] dy, int[] channels, int batch, int spatial, float[][] dxs) {
        int total = 0;
        for (int c : channels) total += c;
        for (int n = 0; n < batch; n++) {
            int offset = n * total * spatial;
            for (int k = 0; k < dxs.length; k++) {
                int len = channels[k] * spatial;
                System.arraycopy(dy, offset, dxs[k], n * len, len);
                offset += len;
            }
        }
    }
}
