package io.cnnc.kernels.cpu;

import io.cnnc.kernels.PoolGeometry;
import io.cnnc.kernels.reference.AdaptiveAvgPoolReference;

/**
 * Adaptive average pooling, same arguments as {@link AdaptiveAvgPoolReference} plus a
 * {@link Parallel}. The two shapes networks use are other kernels in disguise: output 1x1 is a
 * global average, and an output that divides the input evenly has bins of in/out with stride
 * in/out and no overlap, which is plain average pooling. Any other shape runs the reference per
 * channel range, in parallel.
 */
public final class FastAdaptiveAvgPool {

    private FastAdaptiveAvgPool() {}

    public static void forward(float[] x, int batch, int channels, int inH, int inW, int outH, int outW, float[] y, Parallel p) {
        if (outH == 1 && outW == 1) {
            FastGlobalPool.average(x, batch, channels, inH * inW, y, p);
        } else if (inH % outH == 0 && inW % outW == 0) {
            int kh = inH / outH, kw = inW / outW;
            PoolGeometry g = new PoolGeometry(channels, inH, inW, kh, kw, kh, kw, 0, 0, 0, 0, false);
            FastAvgPool.forward(x, batch, g, y, p);
        } else {
            int inPlane = inH * inW, outPlane = outH * outW;
            Chunks.forRanges(p, batch * channels, Math.max(1, 16_384 / inPlane), 1, (from, to) -> {
                int n = to - from;
                float[] xs = java.util.Arrays.copyOfRange(x, from * inPlane, to * inPlane);
                float[] ys = new float[n * outPlane];
                AdaptiveAvgPoolReference.forward(xs, 1, n, inH, inW, outH, outW, ys);
                System.arraycopy(ys, 0, y, from * outPlane, ys.length);
            });
        }
    }
}
